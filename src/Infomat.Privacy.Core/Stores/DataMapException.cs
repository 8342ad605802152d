namespace Infomat.Privacy.Stores;

/// <summary>Thrown when the data-map file is wrong; the message lists every problem with its place in the file.</summary>
public sealed class DataMapException(IReadOnlyList<string> problems)
    : Exception("The data map is not valid:\n- " + string.Join("\n- ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
