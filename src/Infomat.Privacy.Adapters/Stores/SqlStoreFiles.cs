using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// A store's files, named by its tables' file columns: opened for a collection, erased with their records. Erasure is
/// mark-then-delete: the names of the files to go are written to <see cref="SqlEntityStore.FileDeletionsTable"/> in the
/// transaction that deletes (or anonymises) their rows, and the files are deleted only after it commits. A rollback
/// therefore leaves every file with its row; a crash after the commit leaves the marks, and the next action, retry or
/// hold sweep in the store deletes what they name.
/// </summary>
internal sealed class SqlStoreFiles(StoreMap map, SqlDialect dialect, IStoreFileStorage storage)
{
    /// <summary>
    /// The file for the person with <paramref name="email"/>'s export: held back when a record that is not the person's
    /// names it too (files are addressed by name only, so whose it is cannot be told), or when an erasure asked for it
    /// to go and it stayed because another record named it (its mark is kept until it can go: the file may be the erased
    /// person's); else opened. Reads only (the collecting login).
    /// </summary>
    public async Task<StoreFile> OpenAsync(string table, string fileName, string email, CancellationToken cancellationToken)
    {
        if (!StoreFileNames.IsPlain(fileName) || !map.Tables.Any(t => t.Table == table && t.FileColumns.Count > 0))
        {
            return StoreFile.NotFound;
        }

        await using (var connection = dialect.Connect(map, readOnlyAccess: true))
        {
            await connection.OpenAsync(cancellationToken);
            if (await MarkedAsync(connection, fileName, cancellationToken)
                || await NamedByAnyRecordAsync(connection, fileName, cancellationToken, EmailAddresses.Normalise(email)))
            {
                return StoreFile.HeldBack;
            }
        }

        return await storage.OpenAsync(map, fileName, cancellationToken) is { } content ? StoreFile.Found(content) : StoreFile.NotFound;
    }

    /// <summary>In the action's transaction, before the rows go: marks the files the rows name for deletion after the commit.</summary>
    public async Task MarkAsync(PersonRows rows, string? extra = null, params (string Name, object Value)[] parameters)
    {
        foreach (var column in rows.Table.FileColumns)
        {
            foreach (var name in await rows.DistinctAsync(column, extra, parameters))
            {
                if (!StoreFileNames.IsPlain(name))
                {
                    continue;
                }

                var table = dialect.Table(map, SqlEntityStore.FileDeletionsTable);
                await using var mark = Command(rows.Connection, rows.Transaction,
                    $"INSERT INTO {table} (table_name, file_name, case_id) SELECT @table, @file, @case WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE table_name = @table AND file_name = @file)");
                AddParameter(mark, "table", rows.Table.Table);
                AddParameter(mark, "file", name);
                AddParameter(mark, "case", rows.CaseId);
                await mark.ExecuteNonQueryAsync(rows.Cancel);
            }
        }
    }

    /// <summary>Deletes the person's rows (those matching <paramref name="extra"/> too), their files marked to follow after the commit.</summary>
    public async Task<int> DeleteRowsAsync(PersonRows rows, string? extra = null, params (string Name, object Value)[] parameters)
    {
        await MarkAsync(rows, extra, parameters);
        return await rows.DeleteAsync(extra, parameters);
    }

    /// <summary>
    /// After the commit: deletes every marked file that no record of the store still names, then its mark (one still
    /// named stays marked). Returns how many marks were looked at.
    /// </summary>
    public async Task<int> DeleteMarkedAsync(CancellationToken cancellationToken)
    {
        if (!map.Tables.Concat(map.RetiredTables).Any(t => t.FileColumns.Count > 0))
        {
            return 0;
        }

        var table = dialect.Table(map, SqlEntityStore.FileDeletionsTable);
        await using var connection = dialect.Connect(map);
        await connection.OpenAsync(cancellationToken);
        var marked = new List<(string Table, string File)>();
        await using (var read = Command(connection, null, $"SELECT table_name, file_name FROM {table}"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                marked.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (tableName, file) in marked)
        {
            // Files are addressed by name only, and a record's file name is whatever it was given: one another person's
            // record still names (an upload named after someone else's file, a common "CV.pdf") stays with that record,
            // and so does its mark: no export hands it out (it may be the erased person's), and a later action or hold
            // sweep deletes it once nobody names it.
            if (await NamedByAnyRecordAsync(connection, file, cancellationToken))
            {
                continue;
            }

            await storage.DeleteAsync(map, file, cancellationToken);
            await using var done = Command(connection, null, $"DELETE FROM {table} WHERE table_name = @table AND file_name = @file");
            AddParameter(done, "table", tableName);
            AddParameter(done, "file", file);
            await done.ExecuteNonQueryAsync(cancellationToken);
        }

        return marked.Count;
    }

    /// <summary>Whether an erasure marked the file to go (<see cref="SqlEntityStore.FileDeletionsTable"/>), whichever table named it.</summary>
    private async Task<bool> MarkedAsync(System.Data.Common.DbConnection connection, string file, CancellationToken cancellationToken)
    {
        await using var count = Command(connection, null, $"SELECT COUNT(*) FROM {dialect.Table(map, SqlEntityStore.FileDeletionsTable)} WHERE file_name = @file");
        AddParameter(count, "file", file);
        return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Whether a record of the store (in a table in use or one taken out of use) still names the file in one of its
    /// tables' file columns; with
    /// <paramref name="exceptPerson"/> (a normalised address), a record that is not that person's (<see cref="PersonRows"/>'s
    /// match; a record with no address is nobody's, so another's).
    /// </summary>
    private async Task<bool> NamedByAnyRecordAsync(System.Data.Common.DbConnection connection, string file, CancellationToken cancellationToken, string? exceptPerson = null)
    {
        foreach (var table in map.Tables.Concat(map.RetiredTables).Where(t => t.FileColumns.Count > 0))
        {
            var notThePersons = exceptPerson is null ? string.Empty
                : $" AND CASE WHEN {new PersonRows(dialect, map, connection, null, table, exceptPerson, default, cancellationToken).Where(null)} THEN 0 ELSE 1 END = 1";
            foreach (var column in table.FileColumns)
            {
                await using var count = Command(connection, null, $"SELECT COUNT(*) FROM {dialect.Table(map, table.Table)} WHERE {SqlDialect.Quote(column)} = @file{notThePersons}");
                AddParameter(count, "file", file);
                if (exceptPerson is not null)
                {
                    AddParameter(count, "email", exceptPerson);
                }

                long named;
                try
                {
                    named = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (System.Data.Common.DbException) when (map.RetiredTables.Contains(table))
                {
                    // A table taken out of use may be gone from the database (deploy.md): nobody's record is there.
                    break;
                }

                if (named > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

}
