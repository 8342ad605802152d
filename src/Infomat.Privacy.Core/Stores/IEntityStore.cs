using System.Text.Json.Nodes;

namespace Infomat.Privacy.Stores;

/// <summary>One record found in a store for a person: its table and its fields.</summary>
public sealed record StoreRecord(string Table, JsonObject Fields);

/// <summary>Which fields a collection returns.</summary>
public enum CollectScope
{
    /// <summary>Everything the store holds on the person (Art. 15).</summary>
    All,

    /// <summary>
    /// Only what the right to data portability covers (Art. 20; <see cref="DataMap.PortableColumns"/>): the columns the
    /// map lists as provided by the person, of tables whose purpose rests on consent or a contract; tables without any are skipped.
    /// </summary>
    ProvidedBySubject,
}

/// <summary>An entity store connector: finds a person's records by exact email match and acts on them.</summary>
public interface IEntityStore
{
    /// <summary><c>{entity}/{store}</c>, as in the data map.</summary>
    string Key { get; }

    IAsyncEnumerable<StoreRecord> CollectAsync(string email, CollectScope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the person's address is on this store's suppression list (a keyed hash kept after an objection to direct
    /// marketing or a withdrawal of consent, decision 14): pseudonymised personal data an access answer names. False
    /// for a store that keeps none.
    /// </summary>
    Task<bool> IsSuppressedAsync(string email, CancellationToken cancellationToken);

    /// <summary>How many records match the person, per table of the map (tables with none included, as 0).</summary>
    Task<IReadOnlyDictionary<string, int>> CountAsync(string email, CancellationToken cancellationToken);

    /// <summary>
    /// Carries out an action in one transaction, recorded in the store under the case id: running it again for the
    /// same case returns the recorded outcome and changes nothing. <see cref="TableOutcome.RemainingAfter"/> is
    /// counted again after the commit.
    /// </summary>
    Task<StoreOutcome> ApplyAsync(StoreActionRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// A stored file the person's record names in one of its table's file columns (a CV), opened for the person with
    /// <paramref name="email"/>: its content, or <see cref="StoreFile.NotFound"/> when there is none by that name, or
    /// <see cref="StoreFile.HeldBack"/> when a record not matching the person names it too, or an erasure kept it because
    /// another record named it (files are addressed by name only). The name is checked: only a plain file name inside the store's own folder is ever opened.
    /// </summary>
    Task<StoreFile> OpenFileAsync(string table, string fileName, string email, CancellationToken cancellationToken);
}
