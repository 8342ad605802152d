namespace Infomat.Privacy.Adapters.Stores;

/// <summary>The <c>Stores</c> configuration section: which database the entity stores live in.</summary>
public sealed class StoreOptions
{
    public const string Section = "Stores";

    /// <summary><c>sqlite</c> (one file per store, the embedded default) or <c>postgres</c> (one schema per store).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>SQLite: folder holding <c>{entity}-{store}.db</c>.</summary>
    public string Directory { get; set; } = Path.Combine(".data", "stores");

    /// <summary>
    /// Where the stores' files (CVs) are kept: <c>folder</c> (the default: <see cref="FilesDirectory"/>) or <c>blob</c>
    /// (a container per store, <c>{entity}-{store}-files</c>, in the app's storage account, <c>AzureWebJobsStorage</c>).
    /// </summary>
    public string FilesStorage { get; set; } = "folder";

    /// <summary>With <c>folder</c>: <c>{FilesDirectory}/{entity}/{store}/{file name}</c>. Default: <c>{Directory}/files</c>.</summary>
    public string? FilesDirectory { get; set; }

    public string FilesRoot => FilesDirectory is { Length: > 0 } files ? files : Path.Combine(Directory, "files");

    /// <summary>PostgreSQL: the connection string of the database holding the <c>{entity}_{store}</c> schemas.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL: an optional second connection string, of a login that may only read (issue 19): what only reads
    /// (collecting for access and portability exports, the schema check, suppression look-ups) uses it. Absent: the
    /// one connection string serves both.
    /// </summary>
    public string? PostgresReadConnectionString { get; set; }

    /// <summary>
    /// Create this system's own tables in each store (action record, holds, file deletions, suppression list) when
    /// they are missing. On locally; off in Azure (no DDL at run time: ops create them once, docs/deploy.md), where a
    /// missing one is reported as a schema problem of that store instead.
    /// </summary>
    public bool CreateSystemTables { get; set; } = true;

    /// <summary>Create and fill the demo stores at start-up when they do not exist.</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>Rows in the largest demo table (contacts per entity): small by default; 1000000 for the benchmark.</summary>
    public int DemoSize { get; set; } = 200;

    /// <summary>Seed of the demo data generator: the same seed gives the same people.</summary>
    public int DemoSeed { get; set; } = 20191216;
}
