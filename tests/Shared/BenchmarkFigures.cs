using System.Globalization;
using System.Text;

namespace Infomat.Privacy.TestSupport;

/// <summary>One figure of a benchmark: what was measured, against which baseline of the same run, and its limit.</summary>
/// <param name="Figure">What it is, e.g. "JSON c=16 req/s".</param>
/// <param name="Measured">The product's figure with its unit.</param>
/// <param name="Baseline">The baseline measured in the same run, with its unit and what it is ("-" when the limit is absolute).</param>
/// <param name="Compared">The ratio (or the value) the limit applies to.</param>
/// <param name="Limit">The limit as a reader would write it, e.g. "&gt;= 0.5" or "&lt; 1 s" ("-" for an informational row).</param>
/// <param name="Met">Whether the limit is met (informational rows are met).</param>
internal sealed record BenchmarkFigure(string Figure, string Measured, string Baseline, string Compared, string Limit, bool Met);

/// <summary>
/// Writes a benchmark's figures to <c>artifacts/benchmark-&lt;name&gt;.tsv</c>, one tab-separated row per figure
/// (benchmark, figure, measured, baseline, compared, limit, met|MISSED); <c>scripts/bench.sh</c> prints them as one table.
/// </summary>
internal static class BenchmarkFigures
{
    public static string Ratio(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    public static void Write(string benchmark, IEnumerable<BenchmarkFigure> figures)
    {
        var root = FindRoot();
        if (root is null)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (var f in figures)
        {
            text.AppendJoin('\t', benchmark, Clean(f.Figure), Clean(f.Measured), Clean(f.Baseline), Clean(f.Compared), Clean(f.Limit), f.Met ? "met" : "MISSED").Append('\n');
        }

        Directory.CreateDirectory(Path.Combine(root, "artifacts"));
        File.WriteAllText(Path.Combine(root, "artifacts", $"benchmark-{benchmark}.tsv"), text.ToString());
    }

    private static string Clean(string value) => value.Replace('\t', ' ').Replace('\n', ' ');

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Infomat.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
