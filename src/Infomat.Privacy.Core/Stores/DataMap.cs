using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Stores;

/// <summary>A text in the three languages every text a person reads exists in.</summary>
public sealed record Localized(string Nl, string Fr, string En)
{
    public string In(Language language) => language switch
    {
        Language.Nl => Nl,
        Language.Fr => Fr,
        _ => En,
    };
}

/// <summary>A supervisory authority a person may complain to.</summary>
public sealed record Authority(string Key, Localized Name, Localized Address);

/// <summary>
/// One Infomat controller: the legal name and enterprise number every answer names, the country whose public holidays
/// move its deadlines, and the supervisory authorities a person may complain to. <see cref="Entity"/> is its code.
/// <see cref="AutomatedDecisionMaking"/>: null when it takes no decision based solely on automated processing, including
/// profiling (Art. 22(1) and (4) GDPR); otherwise the logic involved, its significance and consequences (Art. 15(1)(h)).
/// </summary>
public sealed record Controller(string Entity, string LegalName, string EnterpriseNumber, string Country, IReadOnlyList<string> ComplaintAuthorities, Localized? AutomatedDecisionMaking = null);

/// <summary>The lawful bases of Art. 6(1) GDPR a purpose may rest on (those Infomat's policy names).</summary>
public enum LawfulBasis
{
    /// <summary>Art. 6(1)(a): the person's consent.</summary>
    Consent,

    /// <summary>Art. 6(1)(b): a contract with the person (not one with their employer).</summary>
    Contract,

    /// <summary>Art. 6(1)(c): a legal obligation of the controller.</summary>
    LegalObligation,

    /// <summary>Art. 6(1)(f): the controller's legitimate interest.</summary>
    LegitimateInterest,
}

/// <summary>
/// Why data is processed, and on which legal basis: <see cref="LegalBasis"/> as the person reads it, <see cref="Bases"/>
/// as the rules read it. <see cref="Consent"/>: processing stops when consent is withdrawn (Art. 7(3));
/// <see cref="DirectMarketing"/>: processing stops on objection, no reason needed (Art. 21(3)).
/// </summary>
public sealed record Purpose(string Key, Localized Name, Localized LegalBasis, bool Consent = false, bool DirectMarketing = false, IReadOnlyList<LawfulBasis>? LawfulBases = null)
{
    /// <summary>The lawful bases (Art. 6(1)) the map gives this purpose.</summary>
    public IReadOnlyList<LawfulBasis> Bases => LawfulBases ?? [];

    /// <summary>
    /// Whether data of this purpose falls under the right to data portability: Art. 20(1)(a) covers processing based on
    /// consent or on a contract with the person; legitimate interest and legal obligation are not covered.
    /// </summary>
    public bool CoversPortability => Bases.Contains(LawfulBasis.Consent) || Bases.Contains(LawfulBasis.Contract);
}

/// <summary>
/// A table whose rows also serve a direct-marketing <see cref="Purpose"/> (the CRM contacts the client-relations
/// mailings go to): an objection to direct marketing, or an unsubscribe, sets <see cref="Set"/> on the person's rows
/// (to <c>true</c>, <c>false</c>, <c>null</c> or <c>now</c>), and the mailings leave out rows so marked.
/// </summary>
public sealed record MarketingOptOut(string Purpose, IReadOnlyDictionary<string, string> Set);

public enum WithdrawalAction
{
    /// <summary>Delete the person's rows.</summary>
    Delete,

    /// <summary>Keep the rows and set the listed columns (to <c>false</c>, <c>true</c>, <c>null</c> or <c>now</c>).</summary>
    Set,
}

/// <summary>
/// What withdrawing consent or objecting to direct marketing does to a table of such a purpose. <see cref="PurposeColumn"/>:
/// the column naming, per row, the purpose (a purpose key of the map) the row's consent was given for, in a table that
/// records consents for several purposes; a withdrawal or an objection then changes only the rows of the purposes it
/// covers (an objection to direct marketing leaves a consent for recruitment alone), whatever the table's own purpose.
/// </summary>
public sealed record WithdrawalRule(WithdrawalAction Action, IReadOnlyDictionary<string, string> Set, string? PurposeColumn = null);

public enum ErasureAction
{
    /// <summary>Delete the person's rows.</summary>
    Delete,

    /// <summary>
    /// Keep the rows as anonymous data (Recital 26): every column that holds the address, every other identifier, every
    /// free-text column and every file is cleared (no keyed hash of anything), leaving what serves only for counts.
    /// </summary>
    Anonymise,

    /// <summary>Keep each row under a legal hold until its own end date (<see cref="LegalHold"/>); mark it restricted meanwhile.</summary>
    Retain,
}

/// <summary>How an anonymised row loses a column's value.</summary>
public enum ColumnErasure
{
    /// <summary>Set to NULL.</summary>
    Null,

    /// <summary>Set to the empty text (for a free-text or address column that may not be NULL).</summary>
    Blank,
}

/// <summary>
/// A statutory retention period that overrides erasure (Art. 17(3)(b) GDPR: a legal obligation to keep). Each record is
/// held until 31 December of the year of its <see cref="From"/> date plus <see cref="Years"/>: Belgian accounting and VAT
/// law keeps documents ten years counted from 1 January after the document's year (WBTW art. 60 §3, WER art. III.88),
/// Dutch fiscal law seven years from the end of the financial year (AWR art. 52; the financial year is taken to be the
/// calendar year). <see cref="Law"/> names the statute, in the reader's language.
/// </summary>
public sealed record LegalHold(int Years, string From, Localized Law)
{
    /// <summary>
    /// The last day a record dated <paramref name="documentDate"/> is held: the law requires it kept that whole day, so
    /// it is erased from the next day on (<see cref="HasEnded"/>). The date the erasure report gives as "kept until".
    /// </summary>
    public DateOnly EndOf(DateOnly documentDate) => new(documentDate.Year + Years, 12, 31);

    /// <summary>
    /// Whether the hold on a record dated <paramref name="documentDate"/> has ended at <paramref name="now"/>: only once
    /// its last day (<see cref="EndOf"/>) is over in Brussels (decision 109).
    /// </summary>
    public bool HasEnded(DateOnly documentDate, DateTimeOffset now) => EndOf(documentDate) <= LastEndedDay(now);

    /// <summary>
    /// The latest last day of a hold that has ended at <paramref name="now"/>: the day before the controller's day
    /// (Brussels time, <see cref="Deadlines.DueDateCalculator.Today"/>). A hold whose last day is today still holds,
    /// whatever the hour in UTC. The one rule; the stores' daily sweep picks remembered holds by it.
    /// </summary>
    public static DateOnly LastEndedDay(DateTimeOffset now) => Deadlines.DueDateCalculator.Today(now).AddDays(-1);
}

/// <summary>What erasure does to a table's rows for the person. <see cref="Hold"/> is set for <see cref="ErasureAction.Retain"/>.</summary>
public sealed record ErasureRule(ErasureAction Action, IReadOnlyDictionary<string, ColumnErasure> Columns, LegalHold? Hold);

/// <summary>
/// One table of a store: how the person is found, what it holds and why, and what erasure and restriction do.
/// <see cref="Match"/> is the indexed, normalised address column; <see cref="EmailColumns"/> every column that holds
/// the address (raw as typed, or normalised), all searched case- and space-insensitively; <see cref="FreeText"/> the
/// columns of free text (notes, messages), which anonymisation blanks. <see cref="DisclosedTo"/>: the keys of the
/// map's recipients the table's data is disclosed to (Art. 15(1)(c) GDPR), never Infomat's own staff.
/// </summary>
public sealed record TableMap(
    string Table,
    Localized Name,
    string Purpose,
    Localized Categories,
    IReadOnlyList<string> DisclosedTo,
    Localized Source,
    Localized Retention,
    string Match,
    IReadOnlyList<string> StaffIdentifiers,
    IReadOnlyList<string> ProvidedBySubject,
    string OrderBy,
    ErasureRule Erasure,
    string RestrictedColumn,
    WithdrawalRule? Withdrawal = null,
    IReadOnlyList<string>? Files = null,
    IReadOnlyList<string>? Emails = null,
    IReadOnlyList<string>? FreeTextColumns = null,
    MarketingOptOut? MarketingOptOut = null,
    IReadOnlyDictionary<string, Localized>? ColumnNames = null)
{
    /// <summary>
    /// A column's name as the person reads it (the map's <c>columns</c>); a column the map does not name (one a store
    /// added after the map was written) keeps its own name rather than disappearing from the answer.
    /// </summary>
    public string ColumnName(string column, Language language) =>
        ColumnNames is not null && ColumnNames.TryGetValue(column, out var name) ? name.In(language) : column;

    /// <summary>The coded values columns declare (the map's <c>columns.{column}.values</c>): per column, code to name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Localized>> ValueLabels { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, Localized>>(StringComparer.Ordinal);

    /// <summary>
    /// How the person reads the code <paramref name="code"/> of <paramref name="column"/> (<c>f</c> as <c>Vrouw</c>), or
    /// null when the map does not name it: the summary then shows the code as it is.
    /// </summary>
    public string? ValueLabel(string column, string code, Language language) =>
        ValueLabels.TryGetValue(column, out var codes) && codes.TryGetValue(code, out var label) ? label.In(language) : null;

    /// <summary>
    /// Whether the action opts the person's rows of this table out of mailings (<see cref="MarketingOptOut"/>): an
    /// objection to direct marketing (Art. 21(2)-(3)), or an unsubscribe, which asks for no more mailings of any kind.
    /// </summary>
    public bool OptsOutOfMailings(StoreAction action) =>
        MarketingOptOut is not null && action is StoreAction.ObjectToDirectMarketing or StoreAction.WithdrawMarketingConsent;

    /// <summary>Columns that hold the name of a stored file belonging to the record (a CV): exported as files, erased with the record.</summary>
    public IReadOnlyList<string> FileColumns => Files ?? [];

    /// <summary>Every column holding the person's address: the match column first, then the others the map names.</summary>
    public IReadOnlyList<string> EmailColumns => [Match, .. (Emails ?? []).Where(c => c != Match)];

    /// <summary>The free-text columns the map names.</summary>
    public IReadOnlyList<string> FreeText => FreeTextColumns ?? [];

    /// <summary>Every column the map's rules use: each must exist in the store (the schema check) and have a name (the loader).</summary>
    public IEnumerable<string> ColumnsTheMapUses =>
        new[] { Match, OrderBy, RestrictedColumn }
            .Concat(EmailColumns).Concat(FreeText).Concat(FileColumns).Concat(StaffIdentifiers).Concat(ProvidedBySubject).Concat(Erasure.Columns.Keys)
            .Concat(Erasure.Hold is { } hold ? [hold.From] : [])
            .Concat(Withdrawal?.Set.Keys ?? [])
            .Concat(MarketingOptOut?.Set.Keys ?? [])
            .Concat(Withdrawal?.PurposeColumn is { } purposeColumn ? [purposeColumn] : [])
            .Where(c => c.Length > 0)
            .Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The columns that hold a yes/no flag: the restriction mark and the columns a withdrawal or an opt-out sets to true
    /// or false. A store without a boolean type (SQLite) gives them as 0 and 1; the summary writes them as yes and no.
    /// </summary>
    public IReadOnlySet<string> BooleanColumns =>
        new[] { RestrictedColumn }
            .Concat((Withdrawal?.Set ?? new Dictionary<string, string>()).Concat(MarketingOptOut?.Set ?? new Dictionary<string, string>())
                .Where(s => s.Value is "true" or "false").Select(s => s.Key))
            .Where(c => c.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// What anonymising a row must clear: the address columns, the staff identifiers, the free text and the files, and
    /// the times this system's own actions write into it (a withdrawal's or an opt-out's <c>now</c>,
    /// <see cref="ActionTimeColumns"/>): the case register and the suppression list keep, with the person's address or
    /// its keyed hash, when each action ran for them, so such a time would link the row back to them (Recital 26).
    /// </summary>
    public IEnumerable<string> IdentifyingColumns =>
        EmailColumns.Concat(StaffIdentifiers).Concat(FreeText).Concat(FileColumns).Concat(ActionTimeColumns).Distinct(StringComparer.Ordinal);

    /// <summary>The columns a withdrawal or an opt-out of this table sets to the time it runs (<c>now</c>).</summary>
    public IEnumerable<string> ActionTimeColumns =>
        (Withdrawal?.Set ?? new Dictionary<string, string>()).Concat(MarketingOptOut?.Set ?? new Dictionary<string, string>())
            .Where(s => s.Value == "now").Select(s => s.Key);
}

/// <summary>
/// A store of one entity, addressed as <c>{entity}/{store}</c>. <see cref="SuppressionTable"/>: where this store keeps
/// the keyed hashes of addresses that must never be re-added to its marketing tables (the store holding the newsletter).
/// </summary>
public sealed record StoreMap(string Entity, string Store, Localized Name, IReadOnlyList<TableMap> Tables, string? SuppressionTable = null)
{
    public string Key => Entity + "/" + Store;

    /// <summary>
    /// Tables taken out of use (<c>retiredTables</c>, decision 114): never collected from or acted on again, kept so that a
    /// case which acted there before is still reported in the map's words.
    /// </summary>
    public IReadOnlyList<TableMap> RetiredTables { get; init; } = [];

    /// <summary>A table of this store by name, in use or retired, for what a case recorded about it; null when the map has neither.</summary>
    public TableMap? TryTable(string name) => Tables.FirstOrDefault(t => t.Table == name) ?? RetiredTables.FirstOrDefault(t => t.Table == name);

    /// <summary>A table of this store by name, in use or retired, for what a case recorded about it.</summary>
    public TableMap Table(string name) =>
        TryTable(name)
        ?? throw new ArgumentException($"Table '{name}' of store '{Key}' is not in the data map: a table a case has named stays in its store's retiredTables (docs/deploy.md).", nameof(name));
}

/// <summary>
/// What Infomat holds and where, read from the deployment's data-map file (<see cref="DataMapLoader"/>).
/// The export summary, the reports and the staff preview are generated from it. <see cref="Recipients"/>: everyone data
/// is disclosed to, by key; <see cref="RequestDisclosedTo"/>: those the data of a privacy request itself goes to (the
/// hosting of this system, the mailbox, the service that sends the mails about it).
/// </summary>
public sealed record DataMap(
    IReadOnlyDictionary<string, Authority> Authorities,
    IReadOnlyList<Controller> Controllers,
    IReadOnlyDictionary<string, Purpose> Purposes,
    IReadOnlyList<StoreMap> Stores,
    IReadOnlyDictionary<string, Recipient> Recipients,
    IReadOnlyList<string> RequestDisclosedTo)
{
    /// <summary>The recipients a table's data is disclosed to, in the map's order for that table.</summary>
    public IReadOnlyList<Recipient> RecipientsOf(TableMap table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return [.. table.DisclosedTo.Select(k => Recipients[k])];
    }

    /// <summary>
    /// Whom to tell of a rectification, erasure or restriction of these tables' data (Art. 19 GDPR): every recipient they
    /// were disclosed to, each once, except public authorities, which see them only on an audit or inquiry and are then
    /// not recipients (Art. 4(9) GDPR).
    /// </summary>
    public IReadOnlyList<Recipient> RecipientsToInform(IEnumerable<TableMap> tables) =>
        [.. tables.SelectMany(RecipientsOf).Where(r => r.Role != RecipientRole.Authority).DistinctBy(r => r.Key)];

    /// <summary>The recipients of a privacy request's own data (<see cref="RequestDisclosedTo"/>).</summary>
    public IReadOnlyList<Recipient> RequestRecipients => [.. RequestDisclosedTo.Select(k => Recipients[k])];

    public Controller Controller(string entity) =>
        Controllers.FirstOrDefault(c => c.Entity == entity) ?? throw new ArgumentException($"Unknown entity '{entity}'.", nameof(entity));

    public IEnumerable<StoreMap> StoresOf(IEnumerable<string> entities) =>
        Stores.Where(s => entities.Contains(s.Entity, StringComparer.Ordinal));

    /// <summary>The stores of the controllers a request is addressed to.</summary>
    public IEnumerable<StoreMap> StoresOf(ControllerScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return StoresOf(scope.Codes);
    }

    /// <summary>The codes of every controller, in the map's order: what <c>both</c> means.</summary>
    public IReadOnlyList<string> ControllerCodes => [.. Controllers.Select(c => c.Entity)];

    /// <summary>The controllers a request is addressed to, in the scope's order.</summary>
    public IReadOnlyList<Controller> ControllersOf(ControllerScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return [.. scope.Codes.Select(Controller)];
    }

    /// <summary>
    /// The columns of a table that the right to data portability carries (Art. 20(1)): those the person provided,
    /// when the table's purpose rests on consent or a contract with the person; none otherwise.
    /// </summary>
    public IReadOnlyList<string> PortableColumns(TableMap table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Purposes.TryGetValue(table.Purpose, out var purpose) && purpose.CoversPortability ? table.ProvidedBySubject : [];
    }

    /// <summary>
    /// Stores taken out of use (<c>retiredStores</c>, decision 114): not in <see cref="Stores"/>, so nothing is collected
    /// from them or done in them again; kept so that every case which named one is still shown and reported in the map's
    /// words.
    /// </summary>
    public IReadOnlyList<StoreMap> RetiredStores { get; init; } = [];

    /// <summary>A store by key, in use or retired: what a case recorded about it is looked up here.</summary>
    public StoreMap Store(string key) =>
        TryStore(key, out var store) ? store
        : throw new ArgumentException($"Store '{key}' is not in the data map: a store a case has named stays in retiredStores (docs/deploy.md).", nameof(key));

    /// <summary>A store by key, in use or retired; false for a key the map does not have at all.</summary>
    public bool TryStore(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StoreMap? store)
    {
        store = Stores.FirstOrDefault(s => s.Key == key) ?? RetiredStores.FirstOrDefault(s => s.Key == key);
        return store is not null;
    }

    /// <summary>
    /// The supervisory authorities to name to a person about the given controllers: theirs first, then every other
    /// authority in the map, each once. A person may complain to the authority of the country where they live, work or
    /// where the infringement took place (Art. 77 GDPR), whichever controller answered: a Dutch resident writing to the
    /// Belgian company may still turn to the Autoriteit Persoonsgegevens.
    /// </summary>
    public IReadOnlyList<Authority> AuthoritiesFor(IEnumerable<Controller> controllers) =>
        controllers.SelectMany(c => c.ComplaintAuthorities).Concat(Authorities.Keys)
            .Distinct(StringComparer.Ordinal).Select(k => Authorities[k]).ToList();
}
