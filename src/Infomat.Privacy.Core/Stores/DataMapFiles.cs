namespace Infomat.Privacy.Stores;

/// <summary>Where the data map is by default: next to the app (copied from <c>datamap/</c> at build).</summary>
public static class DataMapFiles
{
    public static string Default => Path.Combine(AppContext.BaseDirectory, "datamap", "infomat.datamap.json");
}
