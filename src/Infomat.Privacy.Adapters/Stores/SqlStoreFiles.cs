using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// A store's files (<c>{root}/{entity}/{store}/</c>), named by its tables' file columns: opened for a collection,
/// deleted with an erasure. Only a plain file name inside the store's own folder is ever touched.
/// </summary>
internal sealed class SqlStoreFiles(StoreMap map, string? filesRoot)
{
    public Stream? Open(string table, string fileName) =>
        PathOf(table, fileName) is { } path && File.Exists(path) ? File.OpenRead(path) : null;

    /// <summary>Erasure: the files the person's records name go with them (before the commit: erasure is the intent).</summary>
    public async Task DeleteNamedAsync(PersonRows rows)
    {
        foreach (var column in rows.Table.FileColumns)
        {
            foreach (var name in await rows.DistinctAsync(column))
            {
                if (PathOf(rows.Table.Table, name) is { } path)
                {
                    File.Delete(path);
                }
            }
        }
    }

    /// <summary>The path of a stored file, or null when the name is not a plain file name of a table with file columns.</summary>
    private string? PathOf(string table, string? fileName)
    {
        if (filesRoot is null || string.IsNullOrWhiteSpace(fileName) || fileName != Path.GetFileName(fileName) || fileName.StartsWith('.')
            || fileName.Any(char.IsControl) || map.Tables.FirstOrDefault(t => t.Table == table) is not { FileColumns.Count: > 0 })
        {
            return null;
        }

        var folder = Path.GetFullPath(Path.Combine(filesRoot, map.Entity, map.Store));
        var path = Path.GetFullPath(Path.Combine(folder, fileName));
        return path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path : null;
    }
}
