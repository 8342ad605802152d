using System.ComponentModel.DataAnnotations;

namespace Infomat.LocalHost.Durable;

/// <summary>Which engine runs the local host's orchestrations.</summary>
public enum DurableBackend
{
    /// <summary>The Durable extension's Azure Storage provider (as in Azure), on the host's storage connection (Azurite).</summary>
    AzureStorage,

    /// <summary>The in-process test engine: nothing survives a restart. For tests that need it only.</summary>
    InMemory,
}

/// <summary>
/// The local host's durable engine (<c>LocalHost:Durable</c>). The numbers are the Functions app's host.json settings for
/// the Azure Storage provider (<c>extensions.durableTask</c>), with the same values, so a figure measured locally means
/// something for Azure (decision 73; DurableSettingsTests compares the two files).
/// </summary>
public sealed class LocalDurableOptions
{
    public const string Section = "LocalHost:Durable";

    public DurableBackend Backend { get; set; } = DurableBackend.AzureStorage;

    /// <summary>
    /// The storage the task hub lives in; unset, the host's own (<c>AzureWebJobsStorage</c>). Locally a second Azurite
    /// here gives the durable provider's queue and history traffic a Node thread of its own, so the register, the
    /// submission limits and the case list do not wait behind it (decision 82). In Azure one account serves both.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The task hub (queues, tables and blob containers named after it); the Functions app's is <c>InfomatPrivacy</c>.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,44}$", ErrorMessage = "LocalHost:Durable:TaskHub is 3 to 45 letters and digits, starting with a letter.")]
    public string TaskHub { get; set; } = "InfomatLocal";

    /// <summary>host.json <c>storageProvider.partitionCount</c>: control queues, fixed when the task hub is created.</summary>
    [Range(1, 16)]
    public int PartitionCount { get; set; } = 4;

    /// <summary>host.json <c>maxConcurrentActivityFunctions</c>.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentActivityFunctions { get; set; } = 32;

    /// <summary>host.json <c>maxConcurrentOrchestratorFunctions</c>.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentOrchestratorFunctions { get; set; } = 10;

    /// <summary>host.json <c>storageProvider.maxQueuePollingInterval</c>: the longest an idle queue goes unread.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a queue message taken by a host that then dies stays hidden before another run takes it (the provider's
    /// <c>ControlQueueVisibilityTimeout</c> and <c>WorkItemQueueVisibilityTimeout</c>). Deliberately not the Functions
    /// app's value (the provider's default, 5 minutes, left as it is in host.json): here a killed host is routine (a
    /// SIGKILL in the tests and the soak run, a closed terminal), and a case must not sit 5 minutes behind a message
    /// the dead host held (decision 73).
    /// </summary>
    public TimeSpan QueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
