namespace Infomat.Privacy.Stores;

/// <summary>One Infomat controller: the legal name and enterprise number every answer names.</summary>
public sealed record Controller(string Entity, string LegalName, string EnterpriseNumber);

/// <summary>A store of one entity that may hold personal data, addressed as <c>{entity}/{store}</c>.</summary>
public sealed record StoreDescription(string Entity, string Store, string DisplayName)
{
    public string Key => Entity + "/" + Store;
}

/// <summary>
/// What Infomat holds and where. This first map knows the two controllers and one CRM store each;
/// the full data map (purposes, legal bases, retention, erasure rules) is read from a file in a later step.
/// </summary>
public sealed record DataMap(IReadOnlyList<Controller> Controllers, IReadOnlyList<StoreDescription> Stores)
{
    public static DataMap Default { get; } = new(
        [
            new Controller("be", "Infomat België", "BE0460190566"),
            new Controller("nl", "Infomat Nederland", "NL810585091B01"),
        ],
        [
            new StoreDescription("be", "crm", "CRM (contacts)"),
            new StoreDescription("nl", "crm", "CRM (contacts)"),
        ]);

    public Controller Controller(string entity) =>
        Controllers.FirstOrDefault(c => c.Entity == entity) ?? throw new ArgumentException($"Unknown entity '{entity}'.", nameof(entity));

    public IEnumerable<StoreDescription> StoresOf(IEnumerable<string> entities) =>
        Stores.Where(s => entities.Contains(s.Entity, StringComparer.Ordinal));

    public StoreDescription Store(string key) =>
        Stores.FirstOrDefault(s => s.Key == key) ?? throw new ArgumentException($"Unknown store '{key}'.", nameof(key));
}
