using Azure;
using Azure.Storage.Blobs;

using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// Where a store's files (CVs) live: one place per store, the same contract locally (a folder,
/// <see cref="FolderFileStorage"/>) and in Azure (a blob container, <see cref="BlobFileStorage"/>). A file is addressed
/// by the plain name its record holds; <see cref="StoreFileNames.IsPlain"/> is checked before any of these is called.
/// </summary>
public interface IStoreFileStorage
{
    /// <summary>The file, or null when the store holds none by that name.</summary>
    Task<Stream?> OpenAsync(StoreMap store, string fileName, CancellationToken cancellationToken);

    /// <summary>Deletes the file; nothing happens when it is already gone (a retry).</summary>
    Task DeleteAsync(StoreMap store, string fileName, CancellationToken cancellationToken);

    /// <summary>Writes the file unless one by that name exists (the demo data). Returns whether it was written.</summary>
    Task<bool> AddAsync(StoreMap store, string fileName, Stream content, CancellationToken cancellationToken);
}

/// <summary>The names a store's file may have: a plain file name, no folder, not hidden, no control characters.</summary>
public static class StoreFileNames
{
    public static bool IsPlain(string? fileName) =>
        !string.IsNullOrWhiteSpace(fileName) && fileName == Path.GetFileName(fileName) && !fileName.StartsWith('.')
        && !fileName.Any(char.IsControl) && !fileName.Contains('\\', StringComparison.Ordinal) && fileName.Length <= 255;

    /// <summary>The blob container of a store's files: <c>{entity}-{store}-files</c> (what <c>infra/app/storage.bicep</c> creates).</summary>
    public static string Container(StoreMap store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"{store.Entity}-{store.Store}-files";
    }
}

/// <summary>Local: <c>{root}/{entity}/{store}/{file name}</c>.</summary>
public sealed class FolderFileStorage(string root) : IStoreFileStorage
{
    public string Root => root;

    public Task<Stream?> OpenAsync(StoreMap store, string fileName, CancellationToken cancellationToken) =>
        Task.FromResult<Stream?>(PathOf(store, fileName) is { } path && File.Exists(path) ? File.OpenRead(path) : null);

    public Task DeleteAsync(StoreMap store, string fileName, CancellationToken cancellationToken)
    {
        if (PathOf(store, fileName) is { } path)
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    public async Task<bool> AddAsync(StoreMap store, string fileName, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(store, fileName) ?? throw new ArgumentException("Not a plain file name.", nameof(fileName));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            return false;
        }

        await using var file = File.Create(path);
        await content.CopyToAsync(file, cancellationToken);
        return true;
    }

    /// <summary>The path of a stored file inside the store's own folder, or null for a name that is not plain.</summary>
    private string? PathOf(StoreMap store, string fileName)
    {
        if (!StoreFileNames.IsPlain(fileName))
        {
            return null;
        }

        var folder = Path.GetFullPath(Path.Combine(root, store.Entity, store.Store));
        var path = Path.GetFullPath(Path.Combine(folder, fileName));
        return path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path : null;
    }
}

/// <summary>Azure: a blob container per store (<see cref="StoreFileNames.Container"/>), the blob named by the file name.</summary>
public sealed class BlobFileStorage(BlobServiceClient blobs) : IStoreFileStorage
{
    public async Task<Stream?> OpenAsync(StoreMap store, string fileName, CancellationToken cancellationToken)
    {
        if (!StoreFileNames.IsPlain(fileName))
        {
            return null;
        }

        try
        {
            return await Blob(store, fileName).OpenReadAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(StoreMap store, string fileName, CancellationToken cancellationToken)
    {
        if (StoreFileNames.IsPlain(fileName))
        {
            try
            {
                await Blob(store, fileName).DeleteIfExistsAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The container is gone too: nothing to delete.
            }
        }
    }

    public async Task<bool> AddAsync(StoreMap store, string fileName, Stream content, CancellationToken cancellationToken)
    {
        if (!StoreFileNames.IsPlain(fileName))
        {
            throw new ArgumentException("Not a plain file name.", nameof(fileName));
        }

        var container = blobs.GetBlobContainerClient(StoreFileNames.Container(store));
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            await container.GetBlobClient(fileName).UploadAsync(content, overwrite: false, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private BlobClient Blob(StoreMap store, string fileName) =>
        blobs.GetBlobContainerClient(StoreFileNames.Container(store)).GetBlobClient(fileName);
}
