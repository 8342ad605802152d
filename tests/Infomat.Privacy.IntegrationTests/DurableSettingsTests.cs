using System.Text.Json.Nodes;

using Infomat.LocalHost.Durable;
using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The local host runs the Azure Storage provider with the Functions app's settings (decision 73): a figure measured
/// locally (the restart benchmark, the soak run) then means something for Azure. host.json, the local host's
/// appsettings.json and the defaults of <see cref="LocalDurableOptions"/> must say the same.
/// </summary>
public sealed class DurableSettingsTests
{
    [Fact]
    public void The_local_host_runs_the_durable_provider_with_the_settings_of_the_Functions_app()
    {
        var durable = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "host.json")))!["extensions"]!["durableTask"]!;
        var local = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "src", "Infomat.LocalHost", "appsettings.json")))!["LocalHost"]!["Durable"]!;
        var defaults = new LocalDurableOptions();

        Assert.Equal("AzureStorage", (string?)durable["storageProvider"]!["type"]);
        Assert.Equal(nameof(DurableBackend.AzureStorage), (string?)local["Backend"]);
        Assert.Equal(DurableBackend.AzureStorage, defaults.Backend);
        Assert.All(new[] { (int?)durable["storageProvider"]!["partitionCount"], (int?)local["PartitionCount"] }, v => Assert.Equal(defaults.PartitionCount, v));
        Assert.All(new[] { (int?)durable["maxConcurrentActivityFunctions"], (int?)local["MaxConcurrentActivityFunctions"] }, v => Assert.Equal(defaults.MaxConcurrentActivityFunctions, v));
        Assert.All(new[] { (int?)durable["maxConcurrentOrchestratorFunctions"], (int?)local["MaxConcurrentOrchestratorFunctions"] }, v => Assert.Equal(defaults.MaxConcurrentOrchestratorFunctions, v));
        Assert.All(new[] { (string?)durable["storageProvider"]!["maxQueuePollingInterval"], (string?)local["MaxQueuePollingInterval"] }, v => Assert.Equal(defaults.MaxQueuePollingInterval, TimeSpan.Parse(v!, System.Globalization.CultureInfo.InvariantCulture)));
        // Room above the widest fan-out measured (issue 21 item 2: 20 stores): a case's collects never take every slot, so
        // the step after them and other cases' steps start at once. (The in-process engine looks for a free slot only
        // every 500 ms once all are taken; the fan-out benchmark saw the review start 200-500 ms late with 20 slots.)
        Assert.True(defaults.MaxConcurrentActivityFunctions > FanOutBenchmarkTests.WidestFanOut, $"maxConcurrentActivityFunctions {defaults.MaxConcurrentActivityFunctions}");
        // The local task hub is not the deployed one: a local run never works the Functions app's queues.
        Assert.NotEqual((string?)durable["hubName"], (string?)local["TaskHub"]);
    }
}
