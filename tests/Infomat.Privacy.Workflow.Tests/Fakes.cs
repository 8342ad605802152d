using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>An in-memory register with the same contract as the Table one (conditional updates, single-use tokens).</summary>
internal sealed class InMemoryRegister : ICaseRegister, IRegisterCleanup
{
    private readonly ConcurrentDictionary<string, PrivacyCase> cases = new();
    private readonly ConcurrentDictionary<string, string> tokens = new();

    public Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken) =>
        cases.TryAdd(privacyCase.Id, privacyCase) ? Task.CompletedTask : throw new InvalidOperationException("exists");

    public Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult(cases.TryGetValue(caseId, out var c) ? c : null);

    public Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken)
    {
        lock (cases)
        {
            var current = cases[caseId];
            var changed = change(current);
            if (changed is not null)
            {
                cases[caseId] = changed;
            }

            return Task.FromResult(changed ?? current);
        }
    }

    public async IAsyncEnumerable<string> ListUnfinishedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var c in cases.Values.Where(c => c.NeedsWork))
        {
            yield return c.Id;
        }
    }

    public async IAsyncEnumerable<PrivacyCase> ListAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var c in cases.Values)
        {
            yield return c;
        }
    }

    public Task<bool> TryConsumeTokenAsync(string tokenId, string caseId, CancellationToken cancellationToken) =>
        Task.FromResult(tokens.TryAdd(tokenId, caseId));

    public Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken) =>
        Task.FromResult(tokens.TryGetValue(tokenId, out var caseId) ? caseId : null);

    /// <summary>When each marker was written (the clock a test gives, else now).</summary>
    public ConcurrentDictionary<string, DateTimeOffset> MarkerTimes { get; } = new();

    public Task DeleteCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        cases.TryRemove(caseId, out _);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<IntakeMarker> ListMarkersAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (id, caseId) in tokens)
        {
            yield return new IntakeMarker(id, caseId, MarkerTimes.GetValueOrDefault(id, DateTimeOffset.UtcNow));
        }
    }

    public Task DeleteMarkerAsync(IntakeMarker marker, CancellationToken cancellationToken)
    {
        tokens.TryRemove(marker.Id, out _);
        return Task.CompletedTask;
    }
}

/// <summary>Records every mail; can be made to fail like the provider does in an outage (a 503).</summary>
internal sealed class RecordingMail : IMailSender
{
    private int failuresLeft;

    public ConcurrentQueue<OutgoingMail> Sent { get; } = new();

    /// <summary>While true, every send fails with a 503.</summary>
    public bool Down { get; set; }

    /// <summary>The next <paramref name="count"/> sends fail with a 503.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref failuresLeft, count);

    /// <summary>Sends to this address are refused for good (the mail service refuses that mailbox); others go through.</summary>
    public string? Refuses { get; set; }

    /// <summary>The next <paramref name="count"/> sends to <paramref name="address"/> fail with a 503 (a passing fault for that one mailbox); others go through.</summary>
    public void FailNextFor(string address, int count) => (failsFor, failsForLeft) = (address, count);

    private string? failsFor;
    private int failsForLeft;

    /// <summary>While true, every send waits until it is cancelled (a mail service that takes the connection and never answers).</summary>
    public bool Hangs { get; set; }

    /// <summary>Called with each mail once the service has taken it (a test's fault can follow the send).</summary>
    public Action<OutgoingMail>? AfterSend { get; set; }

    /// <summary>While set, every send waits for it (a slow mail service that answers in the end).</summary>
    public Task? Gate { get; set; }

    /// <summary>Every send tried, taken or not.</summary>
    public int Attempts => attempts;

    private int attempts;

    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref attempts);
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (Hangs)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        // A mail goes to one mailbox: SendGrid, Graph and MimeKit's pickup folder all refuse "a@x; b@x" as its recipient.
        if (mail.To.IndexOfAny([';', ',']) >= 0 || string.Equals(mail.To, Refuses, StringComparison.OrdinalIgnoreCase))
        {
            throw new MailRefusedException("400 invalid recipient");
        }

        if (Down || Interlocked.Decrement(ref failuresLeft) >= 0
            || (string.Equals(mail.To, failsFor, StringComparison.OrdinalIgnoreCase) && Interlocked.Decrement(ref failsForLeft) >= 0))
        {
            throw new HttpRequestException("Service unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable);
        }

        Sent.Enqueue(mail);
        AfterSend?.Invoke(mail);
    }

    public IReadOnlyList<OutgoingMail> Of(MailKind kind) => Sent.Where(m => m.Kind == kind).ToList();
}

/// <summary>Stores with fixed records per email; a store can be told to fail its first N calls.</summary>
internal sealed class FakeStores : IEntityStoreCatalog
{
    public ConcurrentDictionary<string, int> FailuresLeft { get; } = new();

    /// <summary>A store that answers nothing until then (a database failing over), per store key.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> DownUntil { get; } = new();

    public ConcurrentDictionary<string, int> Calls { get; } = new();
    public Dictionary<string, Dictionary<string, List<JsonObject>>> Data { get; } = new();

    /// <summary>The addresses on each store's suppression list (store key, address).</summary>
    public ConcurrentDictionary<(string Store, string Email), bool> Suppressed { get; } = new();

    /// <summary>Actions applied, per case, action and store (the fake's own "privacy_actions" record).</summary>
    public ConcurrentDictionary<(string CaseId, StoreAction Action, string Store), StoreOutcome> Applied { get; } = new();

    public IEntityStore Find(string storeKey) => new Store(this, storeKey);

    private sealed class Store(FakeStores owner, string key) : IEntityStore
    {
        public string Key => key;

        public async IAsyncEnumerable<StoreRecord> CollectAsync(string email, CollectScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            Call();
            if (owner.Data.TryGetValue(key, out var byEmail) && byEmail.TryGetValue(email, out var rows))
            {
                foreach (var row in rows)
                {
                    // A row may name its table ("_table"); otherwise it is a CRM contact.
                    var fields = (JsonObject)row.DeepClone();
                    var table = fields.TryGetPropertyValue("_table", out var named) && named is not null ? named.GetValue<string>() : "contacts";
                    fields.Remove("_table");
                    yield return new StoreRecord(table, fields);
                }
            }
        }

        public Task<IReadOnlyDictionary<string, int>> CountAsync(string email, CancellationToken cancellationToken)
        {
            // Counting (for the approval request) is a read that is not counted as a store call and never fails here.
            return Task.FromResult<IReadOnlyDictionary<string, int>>(new Dictionary<string, int> { ["contacts"] = Rows(email).Count });
        }

        public Task<StoreFile> OpenFileAsync(string table, string fileName, string email, CancellationToken cancellationToken) => Task.FromResult(StoreFile.NotFound);

        public Task<bool> IsSuppressedAsync(string email, CancellationToken cancellationToken) => Task.FromResult(owner.Suppressed.ContainsKey((key, email)));

        public Task<StoreOutcome> ApplyAsync(StoreActionRequest request, CancellationToken cancellationToken)
        {
            Call();
            var earlier = owner.Applied.ContainsKey((request.CaseId, request.Action, key));
            var outcome = owner.Applied.GetOrAdd((request.CaseId, request.Action, key), _ =>
            {
                var rows = Rows(request.Email);
                var matched = rows.Count;
                if (request.Action == StoreAction.Erase)
                {
                    rows.Clear();
                }
                else
                {
                    rows.ForEach(r => r["restricted"] = true);
                }

                return new StoreOutcome(key, request.Action, [new TableOutcome("contacts", matched, request.Action == StoreAction.Erase ? matched : 0, 0, request.Action == StoreAction.Restrict ? matched : 0, 0, 0, [], 0)], false);
            });
            return Task.FromResult(outcome with { Tables = [outcome.Tables[0] with { RemainingAfter = Rows(request.Email).Count }], RecordedEarlier = earlier });
        }

        private List<JsonObject> Rows(string email) =>
            owner.Data.TryGetValue(key, out var byEmail) && byEmail.TryGetValue(email, out var rows) ? rows : [];

        private void Call()
        {
            owner.Calls.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (owner.FailuresLeft.TryGetValue(key, out var left) && left > 0)
            {
                owner.FailuresLeft[key] = left - 1;
                throw new IOException($"store {key} is down");
            }

            if (owner.DownUntil.TryGetValue(key, out var until) && DateTimeOffset.UtcNow < until)
            {
                throw new IOException($"store {key} is failing over");
            }
        }
    }
}

internal sealed class InMemoryStaging : IStagingStorage
{
    private readonly ConcurrentDictionary<string, List<StoreRecord>> blobs = new();

    /// <summary>The staged blobs' names (<c>{caseId}/{storeKey}</c>).</summary>
    public IReadOnlyCollection<string> Names => blobs.Keys.ToList();

    public Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.Keys.Where(k => k.StartsWith(caseId + "/", StringComparison.Ordinal)).Count(k => blobs.TryRemove(k, out _)));

    public async Task<int> WriteAsync(string caseId, string storeKey, IAsyncEnumerable<StoreRecord> records, CancellationToken cancellationToken)
    {
        var list = new List<StoreRecord>();
        await foreach (var r in records)
        {
            list.Add(r);
        }

        blobs[caseId + "/" + storeKey] = list;
        return list.Count;
    }

    public async IAsyncEnumerable<string> ListCasesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var caseId in blobs.Keys.Select(k => k[..k.IndexOf('/', StringComparison.Ordinal)]).Distinct(StringComparer.Ordinal).ToList())
        {
            yield return caseId;
        }
    }

    public async IAsyncEnumerable<StoreRecord> ReadAsync(string caseId, string storeKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var r in blobs[caseId + "/" + storeKey])
        {
            yield return r;
        }
    }
}

internal sealed class InMemoryExports : IExportStorage
{
    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new();

    public async Task<string?> WriteAsync(string blobName, string? overVersion, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        await write(output, cancellationToken);
        var written = output.ToArray();
        lock (Blobs)
        {
            // Committed only over the version read before (none: no blob), as the Blob storage's conditional commit.
            if ((Blobs.TryGetValue(blobName, out var current) ? versions.GetValue(current, _ => Guid.NewGuid().ToString("N")) : null) != overVersion)
            {
                return null;
            }

            Blobs[blobName] = written;
        }

        return versions.GetValue(written, _ => Guid.NewGuid().ToString("N"));
    }

    public Task<long?> GetSizeAsync(string blobName, CancellationToken cancellationToken) =>
        Task.FromResult(Blobs.TryGetValue(blobName, out var b) ? (long?)b.Length : null);

    /// <summary>When each zip was marked delivered (its last change, as the lifecycle rule sees it).</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Delivered { get; } = new();

    public Task MarkDeliveredAsync(string blobName, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Delivered[blobName] = at;
        // Setting metadata changes a blob's version (its ETag), as in Azure.
        if (Blobs.TryGetValue(blobName, out var b))
        {
            Blobs.TryUpdate(blobName, (byte[])b.Clone(), b);
        }

        return Task.CompletedTask;
    }

    /// <summary>A blob's version: the identity of the array written (a new write, or a test's assignment, is a new version).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], string> versions = [];

    public Task<string?> GetVersionAsync(string blobName, CancellationToken cancellationToken) =>
        Task.FromResult(Blobs.TryGetValue(blobName, out var b) ? versions.GetValue(b, _ => Guid.NewGuid().ToString("N")) : null);

    public Task<bool> DeleteAsync(string blobName, string version, CancellationToken cancellationToken) =>
        Task.FromResult(!Blobs.TryGetValue(blobName, out var b)
            || (versions.TryGetValue(b, out var current) && current == version && Blobs.TryRemove(new KeyValuePair<string, byte[]>(blobName, b)))
            || !Blobs.ContainsKey(blobName));

    public Task<Uri> CreateReadLinkAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken) =>
        Task.FromResult(new Uri("http://blob.test/" + blobName));

    public Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult(Blobs.Keys.Where(k => k.StartsWith(caseId + "/", StringComparison.Ordinal)).Count(k => Blobs.TryRemove(k, out _)));

    private sealed class CapturingStream(Action<byte[]> onClose) : MemoryStream
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                onClose(ToArray());
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync()
        {
            Dispose(true);
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The audit trail in memory, chained as the Table one.</summary>
internal sealed class InMemoryAudit : Infomat.Privacy.Audit.IAuditTrail
{
    private readonly Dictionary<string, Infomat.Privacy.Audit.AuditCheckpoint> checkpoints = [];

    public InMemoryAudit(Infomat.Privacy.Audit.AuditChain? chain = null) => this.chain = chain ?? new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly Infomat.Privacy.Audit.AuditChain chain;

    public Task<IReadOnlyList<Infomat.Privacy.Audit.AuditHead>> HeadsAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Infomat.Privacy.Audit.AuditHead>>([]);

    public Task<Infomat.Privacy.Audit.AuditCheckpoint?> CheckpointAsync(string caseId, CancellationToken cancellationToken)
    {
        lock (events)
        {
            return Task.FromResult(checkpoints.TryGetValue(caseId, out var c) ? c : null);
        }
    }

    public Task CutAsync(Infomat.Privacy.Audit.AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        lock (events)
        {
            checkpoints[checkpoint.CaseId] = checkpoint;
            if (events.TryGetValue(checkpoint.CaseId, out var list))
            {
                list.RemoveAll(e => e.Event.Sequence <= checkpoint.Sequence);
            }

            return Task.CompletedTask;
        }
    }
    private readonly Dictionary<string, List<(string Key, Infomat.Privacy.Audit.AuditEvent Event)>> events = [];

    public Task<Infomat.Privacy.Audit.AuditEvent> AppendAsync(Infomat.Privacy.Audit.AuditEntry entry, CancellationToken cancellationToken)
    {
        lock (events)
        {
            var list = events.TryGetValue(entry.CaseId, out var l) ? l : events[entry.CaseId] = [];
            if (list.FirstOrDefault(e => e.Key == entry.Key) is { Event: not null } earlier)
            {
                return Task.FromResult(earlier.Event);
            }

            var next = chain.Next(entry, list.Count == 0 ? null : list[^1].Event, DateTimeOffset.UtcNow);
            list.Add((entry.Key, next));
            return Task.FromResult(next);
        }
    }

    public async Task AppendMissingAsync(IReadOnlyList<Infomat.Privacy.Audit.AuditEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            await AppendAsync(entry, cancellationToken);
        }
    }

    public Task<IReadOnlyList<Infomat.Privacy.Audit.AuditEvent>> ListAsync(string caseId, CancellationToken cancellationToken)
    {
        lock (events)
        {
            return Task.FromResult<IReadOnlyList<Infomat.Privacy.Audit.AuditEvent>>(events.TryGetValue(caseId, out var l) ? l.Select(e => e.Event).ToList() : []);
        }
    }
}

/// <summary>The hosts' case workflow over a test register (metrics counted nowhere, logs dropped).</summary>
internal static class TestWorkflows
{
    public static Http.Hosting.CaseWorkflow Of(ICaseRegister register, TimeProvider? time = null) => new(
        register,
        Metrics(),
        time ?? TimeProvider.System,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<Http.Hosting.CaseWorkflow>.Instance);

    /// <summary>What the intake begins a written case with (its verification link through <paramref name="mail"/>, then the start).</summary>
    public static Http.Hosting.NewCases NewCases(
        ICaseRegister register, IMailSender mail, TimeProvider time, Configuration.PrivacyOptions? options = null, ILogger<Workflow.Activities.Verification.VerificationMail>? log = null)
    {
        var o = Microsoft.Extensions.Options.Options.Create(options ?? new Configuration.PrivacyOptions());
        var verification = new Workflow.Activities.Verification.VerificationMail(
            register, mail, new Tokens.LinkTokenService(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), time), TestSupport.TestDataMaps.Real, o, time, Metrics(),
            log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<Workflow.Activities.Verification.VerificationMail>.Instance);
        return new(verification, Of(register), Metrics(), Microsoft.Extensions.Logging.Abstractions.NullLogger<Http.Hosting.NewCases>.Instance);
    }

    /// <summary>A meter of its own (nothing listens unless a test does).</summary>
    internal static PrivacyMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
}

/// <summary>How far the mailbox has been read, as a test sets it: null means everything up to now.</summary>
internal sealed class FakeMailProgress : Infomat.Privacy.Intake.IMailIntakeProgress
{
    public DateTimeOffset? Through { get; set; }

    /// <summary>The mail state cannot be read (storage answers 503 after its retries).</summary>
    public bool Broken { get; set; }

    public Task<DateTimeOffset> ReadThroughAsync(CancellationToken cancellationToken) =>
        Broken ? throw new HttpRequestException("Service Unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable) : Task.FromResult(Through ?? DateTimeOffset.UtcNow);
}

/// <summary>
/// The exports, with a step run once right after a version read (<see cref="AfterVersion"/>), a delete
/// (<see cref="AfterDelete"/>) or a case's deletes (<see cref="AfterDeleteCase"/>) returns, or just before a written zip
/// is committed (<see cref="BeforeCommit"/>): a colleague's step, or another run of the same step, landing there.
/// </summary>
internal sealed class HookedExports(InMemoryExports inner) : IExportStorage
{
    public Func<Task>? AfterVersion { get; init; }

    public Func<Task>? AfterDelete { get; init; }

    public Func<Task>? AfterDeleteCase { get; init; }

    public bool Hooked { get; private set; }

    private async Task<T> Then<T>(T result, Func<Task>? step)
    {
        if (step is not null && !Hooked)
        {
            Hooked = true;
            await step();
        }

        return result;
    }

    /// <summary>Run once, after the zip's content is written and before the blob is committed (another run of the step landing then).</summary>
    public Func<Task>? BeforeCommit { get; init; }

    public Task<string?> WriteAsync(string blobName, string? overVersion, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken) =>
        inner.WriteAsync(blobName, overVersion, async (output, ct) =>
        {
            await write(output, ct);
            await Then(0, BeforeCommit);
        }, cancellationToken);

    public Task<long?> GetSizeAsync(string blobName, CancellationToken cancellationToken) => inner.GetSizeAsync(blobName, cancellationToken);

    public Task<Uri> CreateReadLinkAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken) => inner.CreateReadLinkAsync(blobName, lifetime, cancellationToken);

    public Task MarkDeliveredAsync(string blobName, DateTimeOffset at, CancellationToken cancellationToken) => inner.MarkDeliveredAsync(blobName, at, cancellationToken);

    public async Task<string?> GetVersionAsync(string blobName, CancellationToken cancellationToken) =>
        await Then(await inner.GetVersionAsync(blobName, cancellationToken), AfterVersion);

    public async Task<bool> DeleteAsync(string blobName, string version, CancellationToken cancellationToken) =>
        await Then(await inner.DeleteAsync(blobName, version, cancellationToken), AfterDelete);

    public async Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken) =>
        await Then(await inner.DeleteCaseAsync(caseId, cancellationToken), AfterDeleteCase);
}

/// <summary>
/// The register, with <paramref name="retry"/> run once, right after the first read of one case returns, or, with
/// <paramref name="inList"/>, right after the list of every case yields it (a staff retry landing then).
/// </summary>
internal sealed class RetryAfterRead(ICaseRegister inner, string caseId, Func<Task> retry, bool inList = false) : ICaseRegister
{
    public bool Interleaved { get; private set; }

    public Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken) => inner.CreateAsync(privacyCase, cancellationToken);

    public async Task<PrivacyCase?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var read = await inner.GetAsync(id, cancellationToken);
        if (id == caseId && !inList && !Interleaved)
        {
            Interleaved = true;
            await retry();
        }

        return read;
    }

    public Task<PrivacyCase> UpdateAsync(string id, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken) => inner.UpdateAsync(id, change, cancellationToken);

    public IAsyncEnumerable<string> ListUnfinishedAsync(CancellationToken cancellationToken) => inner.ListUnfinishedAsync(cancellationToken);

    public async IAsyncEnumerable<PrivacyCase> ListAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var c in inner.ListAllAsync(cancellationToken))
        {
            if (c.Id == caseId && inList && !Interleaved)
            {
                // The case as read into the list goes to the caller after the retry landed: the caller's copy is stale.
                Interleaved = true;
                await retry();
            }

            yield return c;
        }
    }

    public Task<bool> TryConsumeTokenAsync(string tokenId, string id, CancellationToken cancellationToken) => inner.TryConsumeTokenAsync(tokenId, id, cancellationToken);

    public Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken) => inner.UsedForAsync(tokenId, cancellationToken);
}

/// <summary>The register, with its <see cref="FailUpdate"/>-th update failing as a storage 503 would.</summary>
internal sealed class FailingUpdates(ICaseRegister inner) : ICaseRegister
{
    public int FailUpdate { get; init; }

    public int Updates { get; private set; }

    public Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken) => inner.CreateAsync(privacyCase, cancellationToken);

    public Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken) => inner.GetAsync(caseId, cancellationToken);

    public Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken) =>
        ++Updates == FailUpdate ? throw new Azure.RequestFailedException(503, "Service unavailable") : inner.UpdateAsync(caseId, change, cancellationToken);

    public IAsyncEnumerable<string> ListUnfinishedAsync(CancellationToken cancellationToken) => inner.ListUnfinishedAsync(cancellationToken);

    public IAsyncEnumerable<PrivacyCase> ListAllAsync(CancellationToken cancellationToken) => inner.ListAllAsync(cancellationToken);

    public Task<bool> TryConsumeTokenAsync(string tokenId, string caseId, CancellationToken cancellationToken) => inner.TryConsumeTokenAsync(tokenId, caseId, cancellationToken);

    public Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken) => inner.UsedForAsync(tokenId, cancellationToken);
}
