using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// An entity store over ADO.NET, driven by the data map: a parameterised match on every column the map names as
/// holding the address (<see cref="PersonRows"/>). Table and column names come from the validated map only, and are quoted. Actions run in one
/// transaction per store and are recorded in the store's <c>privacy_actions</c> table under the case id, in that
/// same transaction, so a retry after a crash either finds the action done or finds the store untouched.
/// The work is done by one class per job (reading, files, actions, suppression list, legal holds, schema); this one
/// puts them together for one store.
/// </summary>
public sealed class SqlEntityStore : IEntityStore
{
    /// <summary>The table, in every store, where applied actions are recorded (case id, action, counts).</summary>
    public const string ActionsTable = "privacy_actions";

    /// <summary>The table, in every store, of erased people's records kept under a legal hold, and until when.</summary>
    public const string HoldsTable = "privacy_holds";

    /// <summary>The table, in every store with files, of files whose rows an action removed, to be deleted after its commit.</summary>
    public const string FileDeletionsTable = "privacy_file_deletions";

    private readonly StoreMap map;
    private readonly SqlRecordReader records;
    private readonly SqlStoreFiles files;
    private readonly SuppressionList suppressions;
    private readonly LegalHolds holds;
    private readonly SqlStoreActions actions;
    private readonly SqlStoreSchema schema;

    public SqlEntityStore(DataMap dataMap, StoreMap map, SqlDialect dialect, KeyedHash hashes, IStoreFileStorage files)
    {
        this.map = map;
        records = new SqlRecordReader(dataMap, map, dialect);
        this.files = new SqlStoreFiles(map, dialect, files);
        suppressions = new SuppressionList(map, dialect, hashes);
        holds = new LegalHolds(map, dialect, hashes, this.files);
        actions = new SqlStoreActions(dataMap, map, dialect, records, this.files, suppressions, holds);
        schema = new SqlStoreSchema(map, dialect);
    }

    public string Key => map.Key;

    public IAsyncEnumerable<StoreRecord> CollectAsync(string email, CollectScope scope, CancellationToken cancellationToken) =>
        records.CollectAsync(email, scope, cancellationToken);

    public Task<IReadOnlyDictionary<string, int>> CountAsync(string email, CancellationToken cancellationToken) =>
        records.CountAsync(email, cancellationToken);

    public Task<StoreOutcome> ApplyAsync(StoreActionRequest request, CancellationToken cancellationToken) =>
        actions.ApplyAsync(request, cancellationToken);

    public Task<StoreFile> OpenFileAsync(string table, string fileName, string email, CancellationToken cancellationToken) =>
        files.OpenAsync(table, fileName, email, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> IsSuppressedAsync(string email, CancellationToken cancellationToken) =>
        suppressions.ContainsAsync(email, cancellationToken);

    /// <summary>
    /// The sign-up path of the demo newsletter (<c>newsletter_subscriptions</c>): refuses, in the same transaction,
    /// an address whose keyed hash is on the store's suppression list. Returns whether the address was added.
    /// </summary>
    public Task<bool> SubscribeAsync(string email, string list, DateTimeOffset now, CancellationToken cancellationToken) =>
        suppressions.SubscribeAsync(email, list, now, cancellationToken);

    /// <summary>
    /// The one query every mailing of this store must send to (client-relations mailings to CRM contacts): the
    /// normalised addresses of the rows of tables with a marketing opt-out, leaving out rows opted out, rows restricted
    /// (Art. 18), and addresses on the suppression list (a row a sync put back after an objection).
    /// </summary>
    public Task<IReadOnlyList<string>> MailingRecipientsAsync(CancellationToken cancellationToken) =>
        suppressions.MailingRecipientsAsync(cancellationToken);

    /// <summary>
    /// Erases each record an erasure kept under a legal hold once its own hold has ended at <paramref name="now"/>, the
    /// day after its last day in Brussels (run daily). Only records of people who asked for erasure, only those still
    /// restricted. Returns how many records were erased.
    /// </summary>
    public Task<int> PurgeEndedHoldsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        holds.PurgeEndedAsync(now, cancellationToken);

    /// <summary>Creates the tables this system keeps in the store: the action record and the suppression list.</summary>
    public Task EnsureSystemTablesAsync(CancellationToken cancellationToken) =>
        schema.EnsureSystemTablesAsync(cancellationToken);

    public Task<IReadOnlyList<string>> CheckSystemTablesAsync(CancellationToken cancellationToken) =>
        schema.CheckSystemTablesAsync(cancellationToken);

    /// <summary>Checks that every table and column the map names exists; returns what is missing.</summary>
    public Task<IReadOnlyList<string>> CheckSchemaAsync(CancellationToken cancellationToken) =>
        schema.CheckAsync(cancellationToken);
}
