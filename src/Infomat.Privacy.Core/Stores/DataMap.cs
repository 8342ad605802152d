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
/// </summary>
public sealed record Controller(string Entity, string LegalName, string EnterpriseNumber, string Country, IReadOnlyList<string> ComplaintAuthorities);

/// <summary>
/// Why data is processed, and on which legal basis. <see cref="Consent"/>: processing stops when consent is withdrawn
/// (Art. 7(3)); <see cref="DirectMarketing"/>: processing stops on objection, no reason needed (Art. 21(3)).
/// </summary>
public sealed record Purpose(string Key, Localized Name, Localized LegalBasis, bool Consent = false, bool DirectMarketing = false);

public enum WithdrawalAction
{
    /// <summary>Delete the person's rows.</summary>
    Delete,

    /// <summary>Keep the rows and set the listed columns (to <c>false</c>, <c>true</c>, <c>null</c> or <c>now</c>).</summary>
    Set,
}

/// <summary>What withdrawing consent or objecting to direct marketing does to a table of such a purpose.</summary>
public sealed record WithdrawalRule(WithdrawalAction Action, IReadOnlyDictionary<string, string> Set);

public enum ErasureAction
{
    /// <summary>Delete the person's rows.</summary>
    Delete,

    /// <summary>Keep the rows, replace the listed columns (null, or a keyed hash).</summary>
    Anonymise,

    /// <summary>Keep under a legal hold until the retention ends; mark restricted meanwhile.</summary>
    Retain,
}

public enum ColumnErasure
{
    Null,
    Pseudonymise,
}

/// <summary>What erasure does to a table's rows for the person.</summary>
public sealed record ErasureRule(ErasureAction Action, IReadOnlyDictionary<string, ColumnErasure> Columns, int? RetainYears, string? RetainFrom);

/// <summary>
/// One table of a store: how the person is found (an exact match on <see cref="Match"/>, the normalised email),
/// what it holds and why, and what erasure and restriction do.
/// </summary>
public sealed record TableMap(
    string Table,
    Localized Name,
    string Purpose,
    Localized Categories,
    Localized Recipients,
    Localized Source,
    Localized Retention,
    string Match,
    IReadOnlyList<string> StaffIdentifiers,
    IReadOnlyList<string> ProvidedBySubject,
    string OrderBy,
    ErasureRule Erasure,
    string RestrictedColumn,
    WithdrawalRule? Withdrawal = null,
    IReadOnlyList<string>? Files = null)
{
    /// <summary>Columns that hold the name of a stored file belonging to the record (a CV): exported as files, erased with the record.</summary>
    public IReadOnlyList<string> FileColumns => Files ?? [];
}

/// <summary>
/// A store of one entity, addressed as <c>{entity}/{store}</c>. <see cref="SuppressionTable"/>: where this store keeps
/// the keyed hashes of addresses that must never be re-added to its marketing tables (the store holding the newsletter).
/// </summary>
public sealed record StoreMap(string Entity, string Store, Localized Name, IReadOnlyList<TableMap> Tables, string? SuppressionTable = null)
{
    public string Key => Entity + "/" + Store;
}

/// <summary>
/// What Infomat holds and where, read from the deployment's data-map file (<see cref="DataMapLoader"/>).
/// The export summary, the reports and the staff preview are generated from it.
/// </summary>
public sealed record DataMap(
    IReadOnlyDictionary<string, Authority> Authorities,
    IReadOnlyList<Controller> Controllers,
    IReadOnlyDictionary<string, Purpose> Purposes,
    IReadOnlyList<StoreMap> Stores)
{
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

    public StoreMap Store(string key) =>
        Stores.FirstOrDefault(s => s.Key == key) ?? throw new ArgumentException($"Unknown store '{key}'.", nameof(key));

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
