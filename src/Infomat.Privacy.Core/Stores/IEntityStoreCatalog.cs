namespace Infomat.Privacy.Stores;

/// <summary>Finds the connector for a data-map store key.</summary>
public interface IEntityStoreCatalog
{
    IEntityStore Find(string storeKey);
}
