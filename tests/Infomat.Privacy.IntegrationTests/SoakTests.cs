using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.IntegrationTests.Soak;

using Xunit.Abstractions;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 14: no request is ever lost, stranded or closed unanswered, whatever fails. A small soak run (16 requests, one
/// kill) in every test run; <c>scripts/soak.sh</c> runs a few hundred (<c>SOAK_CASES</c>, <c>SOAK_SEED</c>,
/// <c>SOAK_KILLS</c>). It has its own Azurite: the register must hold only its cases, and the host's reconciler must not
/// pick up other tests' open cases.
/// </summary>
[Collection(SecondAzuriteCollection.Name)]
[Trait("Category", "Soak")]
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task No_request_is_lost_stranded_duplicated_or_closed_unanswered_whatever_fails()
    {
        var settings = SoakSettings.FromEnvironment();
        await using var run = new SoakRun(settings, line =>
        {
            // Also on the console: a long run's progress is read while it runs.
            output.WriteLine(line);
            Console.WriteLine(line);
        });
        var report = await run.RunAsync();

        var artifacts = Path.Combine(Repo.Root, "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, settings.Cases == SoakSettings.DefaultCases ? "soak-small.json" : "soak.json"), report.Json());
        output.WriteLine(report.Table());
        Console.WriteLine(report.Table());

        Assert.True(report.Passed, "The soak run broke a promise of issue 14:\n" + report.Table());
    }
}
