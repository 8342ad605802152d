using Azure.Storage.Blobs;

using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The stores' files in Azure: a blob container per store (<c>Stores:FilesStorage=blob</c>), against Azurite. A CV is
/// exported (opened as the export opens it) and erased with its application, and only after the erasure commits.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StoreFilesBlobTests(Azurite azurite)
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);
    private const string Cv = "cv-alexis-papadopoulos.pdf";
    private const string Alexis = "alexis.papadopoulos@example.nl";

    private async Task<(SqlStoreCatalog Catalog, BlobContainerClient Container)> SeededAsync()
    {
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        // Each test its own containers' contents: the CV is written again only when missing.
        var container = blobs.GetBlobContainerClient(StoreFileNames.Container(Map.Store("nl/recruitment")));
        await container.DeleteBlobIfExistsAsync(Cv);
        var catalog = new SqlStoreCatalog(Map, Options.Create(new StoreOptions { Provider = "sqlite", Directory = Repo.NewTempDirectory("sql"), FilesStorage = "blob" }),
            new KeyedHash(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), new BlobFileStorage(blobs));
        await DemoStores.SeedAsync(Map, catalog.Dialect, 20, 7, default);
        await DemoStores.SeedFilesAsync(Map, catalog.Files, default);
        await catalog.EnsureSystemTablesAsync(default);
        return (catalog, container);
    }

    [Fact]
    public async Task A_CV_in_its_store_container_is_exported_and_erased_with_its_application()
    {
        var (catalog, container) = await SeededAsync();
        Assert.True(await container.GetBlobClient(Cv).ExistsAsync());
        var store = catalog.Find("nl/recruitment");

        await using (var cv = await store.OpenFileAsync("job_applications", Cv, Alexis, default))
        {
            Assert.NotNull(cv.Content);
            Assert.Equal("%PDF-1.4", new StreamReader(cv.Content).ReadLine());
        }

        Assert.Equal(StoreFileAbsence.NotFound, (await store.OpenFileAsync("job_applications", "../" + Cv, Alexis, default)).Absence);
        Assert.Equal(StoreFileAbsence.NotFound, (await store.OpenFileAsync("job_applications", "no-such-cv.pdf", Alexis, default)).Absence);

        var outcome = await store.ApplyAsync(new StoreActionRequest("PR-BLOB-0000-0001", StoreAction.Erase, "alexis.papadopoulos@example.nl", DateTimeOffset.UtcNow), default);

        Assert.Equal(1, outcome.Tables.Single().Deleted);
        Assert.False(await container.GetBlobClient(Cv).ExistsAsync());
        Assert.Equal(StoreFileAbsence.NotFound, (await store.OpenFileAsync("job_applications", Cv, Alexis, default)).Absence);
    }

    [Fact]
    public async Task An_erasure_leaves_a_file_that_another_persons_record_still_names()
    {
        // Review of 7 December: a store's files are addressed by name only, and a record's file name may be anyone's
        // choice (an applicant naming their upload after someone else's CV, or a common "CV.pdf"). An erasure for one
        // person deleted the file another person's application still named.
        var (catalog, container) = await SeededAsync();
        var store = Map.Store("nl/recruitment");
        var table = catalog.Dialect.Table(store, "job_applications");
        await using (var connection = catalog.Dialect.Connect(store))
        {
            await connection.OpenAsync();
            await using var copy = connection.CreateCommand();
            copy.CommandText = $"INSERT INTO {table} (email, email_normalized, first_name, last_name, phone, position, applied_at, cv_file, motivation, pool_consent, restricted) " +
                $"SELECT 'mallory@example.nl', 'mallory@example.nl', 'Mallory', 'M', phone, position, applied_at, cv_file, 'x', pool_consent, restricted FROM {table} WHERE email_normalized = 'alexis.papadopoulos@example.nl'";
            Assert.Equal(1, await copy.ExecuteNonQueryAsync());
        }

        var outcome = await catalog.Find("nl/recruitment").ApplyAsync(new StoreActionRequest("PR-BLOB-0000-0003", StoreAction.Erase, "mallory@example.nl", DateTimeOffset.UtcNow), default);

        Assert.Equal(1, outcome.Tables.Single().Deleted);
        Assert.True(await container.GetBlobClient(Cv).ExistsAsync(), "Alexis's CV was deleted with Mallory's application");
        // Once nobody's record names it, the next erasure deletes it.
        await catalog.Find("nl/recruitment").ApplyAsync(new StoreActionRequest("PR-BLOB-0000-0004", StoreAction.Erase, "alexis.papadopoulos@example.nl", DateTimeOffset.UtcNow), default);
        Assert.False(await container.GetBlobClient(Cv).ExistsAsync());
    }

    /// <summary>
    /// Issue 22: summary.html links a stored file to its copy in the zip. A CV whose blob is gone from its container when
    /// the export is prepared is not in the zip, and the page says so rather than linking to nothing.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_summary_links_a_CV_only_when_it_is_in_the_zip_and_says_when_its_blob_is_gone(bool blobThere)
    {
        var (catalog, container) = await SeededAsync();
        if (!blobThere)
        {
            await container.DeleteBlobIfExistsAsync(Cv);
        }

        var store = catalog.Find("nl/recruitment");
        const string email = "alexis.papadopoulos@example.nl";
        var records = await store.CollectAsync(email, CollectScope.All, default).ToListAsync();
        var part = new Privacy.Export.StorePart(Map.Store("nl/recruitment"), records.GroupBy(r => r.Table).ToDictionary(g => g.Key, g => g.Count()));
        var manifest = new Privacy.Export.ExportManifest("PR-BLOB-0000-0002", Privacy.Requests.Language.En, email, DateTimeOffset.UtcNow, Map, Map.Controllers, [part]);
        using var output = new MemoryStream();
        await Privacy.Export.ExportPackageWriter.WriteAsync(output, manifest, _ => records.ToAsyncEnumerable(), default,
            (s, table, name, ct) => catalog.Find(s.Key).OpenFileAsync(table, name, email, ct));

        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(output.ToArray()));
        using var reader = new StreamReader(zip.GetEntry("summary.html")!.Open());
        var html = System.Net.WebUtility.HtmlDecode(await reader.ReadToEndAsync());
        var entry = "nl/recruitment/files/" + Cv;
        Assert.Equal(blobThere, zip.GetEntry(entry) is not null);
        Assert.Equal(blobThere, html.Contains($"<a href=\"{entry}\">{Cv}</a>", StringComparison.Ordinal));
        Assert.Equal(!blobThere, html.Contains($"{Cv} (this file was not found in our systems when this export was prepared, so it is not in the zip)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_erasure_that_rolls_back_leaves_the_CV_blob()
    {
        var (catalog, container) = await SeededAsync();
        var map = Map.Store("nl/recruitment");
        await using (var connection = catalog.Dialect.Connect(map))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TRIGGER refuse_record BEFORE INSERT ON {catalog.Dialect.Table(map, SqlEntityStore.ActionsTable)} BEGIN SELECT RAISE(ABORT, 'refused'); END";
            await command.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => catalog.Find("nl/recruitment").ApplyAsync(
            new StoreActionRequest("PR-BLOB-0000-0002", StoreAction.Erase, "alexis.papadopoulos@example.nl", DateTimeOffset.UtcNow), default));

        Assert.True(await container.GetBlobClient(Cv).ExistsAsync());
        Assert.Equal(1, (await catalog.Find("nl/recruitment").CountAsync("alexis.papadopoulos@example.nl", default))["job_applications"]);
    }
}
