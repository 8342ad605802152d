using System.Text.RegularExpressions;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// A case changes only through its named transitions (src/Infomat.Privacy.Core/Cases): a status written anywhere
/// else would bypass the rule that guards it. These scans read the source tree, so they fail the build's tests the
/// moment someone writes <c>with { Status = … }</c> in an endpoint or hands the register a lambda of their own.
/// </summary>
public sealed partial class CaseStatusWriteTests
{
    private static readonly string Root = FindRoot();

    /// <summary>Where a case may be changed: the case and its transitions, and the register implementations that store it.</summary>
    private static readonly string[] CaseHome = ["src/Infomat.Privacy.Core/Cases/"];

    private static readonly string[] RegisterImplementations =
    [
        "src/Infomat.Privacy.Core/Cases/",
        "src/Infomat.Privacy.Core/Audit/AuditedCaseRegister.cs",
        "src/Infomat.Privacy.Adapters/Storage/",
    ];

    [Fact]
    public void No_code_outside_the_case_assigns_a_status()
    {
        var offenders = Scan(StatusAssignment(), CaseHome);

        Assert.True(offenders.Count == 0, "Status is written outside the case's transitions: " + string.Join("; ", offenders));
    }

    [Fact]
    public void No_code_outside_the_register_changes_a_case_with_a_lambda_of_its_own()
    {
        // Everything else goes through register.ApplyAsync(id, c => c.SomeTransition(...)).
        var offenders = Scan(RegisterUpdate(), RegisterImplementations);

        Assert.True(offenders.Count == 0, "A case is changed outside its transitions (use ICaseRegister.ApplyAsync with a transition): " + string.Join("; ", offenders));
    }

    [Fact]
    public void The_scan_finds_a_status_written_in_an_endpoint()
    {
        // The patterns themselves, checked on what the scans must catch and must let pass.
        Assert.Matches(StatusAssignment(), "c = c with { Status = CaseStatus.Completed };");
        // A property named Status that only reads (an HTTP response's status code) writes no case.
        Assert.DoesNotMatch(StatusAssignment(), "public override int Status => 503;");
        Assert.Matches(StatusAssignment(), "x.WithStatus(CaseStatus.Failed, now)");
        Assert.DoesNotMatch(StatusAssignment(), "catch (RequestFailedException ex) when (ex.Status == 409)");
        Assert.DoesNotMatch(StatusAssignment(), "if (c.Status != CaseStatus.AwaitingEmailVerification)");
        Assert.Matches(RegisterUpdate(), "await register.UpdateAsync(c.Id, x => x with { AnswerSentAt = at }, ct);");
        Assert.True(Directory.Exists(Path.Combine(Root, "src", "Infomat.Privacy.Http")), "the scan must read the real source tree");
    }

    private static List<string> Scan(Regex pattern, string[] allowed)
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)
                || allowed.Any(a => relative.StartsWith(a, StringComparison.Ordinal)))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (pattern.IsMatch(lines[i]))
                {
                    offenders.Add($"{relative}:{i + 1}");
                }
            }
        }

        return offenders;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Infomat.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repository root (Infomat.Functions.sln) not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bStatus\s*=(?![=>])|\bWithStatus\s*\(")]
    private static partial Regex StatusAssignment();

    [GeneratedRegex(@"\.UpdateAsync\s*\(")]
    private static partial Regex RegisterUpdate();
}
