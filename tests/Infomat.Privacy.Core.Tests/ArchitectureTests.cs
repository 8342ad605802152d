using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Workflow;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// The adapter wall: Azure SDKs, Graph (Kiota) and SQL are used in Infomat.Privacy.Adapters only. Checked on what each
/// built assembly references (only what its compiled code actually uses), on what each project file asks for, so a
/// package added "for later" is caught before any code uses it, and on Http's sources, where only the composition root
/// may name an adapter.
/// </summary>
public sealed partial class ArchitectureTests
{
    private const string Adapters = "Infomat.Privacy.Adapters";

    /// <summary>Graph, Kiota and the SQL providers: for the adapters only, in every layer above them.</summary>
    private static readonly string[] GraphAndSql = ["Microsoft.Graph", "Microsoft.Kiota", "Npgsql", "Microsoft.Data.", "System.Data.SqlClient"];

    /// <summary>The domain: no cloud, no web, no durable engine, no database.</summary>
    private static readonly string[] CoreForbidden =
        ["Azure.", "Microsoft.Azure.", "Microsoft.AspNetCore.", "Microsoft.DurableTask", "DurableTask.", .. GraphAndSql];

    /// <summary>Orchestrations run in both hosts and in tests: no Functions worker, no Azure SDK.</summary>
    private static readonly string[] WorkflowForbidden = ["Microsoft.Azure.", "Azure.", .. GraphAndSql];

    /// <summary>The endpoints and composition root, shared by both hosts: no Azure SDK (nor the Functions worker, which is the Functions host's).</summary>
    private static readonly string[] HttpForbidden = ["Azure.", "Microsoft.Azure.", .. GraphAndSql];

    public static TheoryData<string> Layers => ["Core", "Workflow", "Http"];

    [Theory]
    [MemberData(nameof(Layers))]
    public void The_compiled_layer_references_nothing_beyond_the_adapter_wall(string layer)
    {
        var (assembly, forbidden) = Layer(layer);
        var crossings = assembly.GetReferencedAssemblies()
            .Select(reference => reference.Name!)
            .Where(name => Matches(name, forbidden))
            .Order(StringComparer.Ordinal)
            .Select(name => $"{assembly.GetName().Name} references {name}")
            .ToList();
        // Core and Workflow may not even reach the adapters; Http may (its composition root calls AddInfomatAdapters).
        if (layer != "Http" && assembly.GetReferencedAssemblies().Any(r => r.Name == Adapters))
        {
            crossings.Add($"{assembly.GetName().Name} references {Adapters}");
        }

        Assert.True(crossings.Count == 0, "Crossings of the adapter wall (move the code into Infomat.Privacy.Adapters, behind a port):\n" + string.Join("\n", crossings));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void The_project_file_asks_for_nothing_beyond_the_adapter_wall(string layer)
    {
        var (_, forbidden) = Layer(layer);
        var project = Path.Combine(RepositoryRoot(), "src", $"Infomat.Privacy.{layer}", $"Infomat.Privacy.{layer}.csproj");
        var crossings = new List<string>();
        // Core and Workflow: their whole project closure (a project they reference brings its packages along).
        // Http: its own packages; it references the adapters project by design.
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var file))
        {
            if (!visited.Add(file))
            {
                continue;
            }

            var xml = XDocument.Load(file);
            var name = Path.GetFileNameWithoutExtension(file);
            foreach (var item in xml.Descendants().Where(e => e.Name.LocalName is "PackageReference" or "FrameworkReference"))
            {
                var include = (string?)item.Attribute("Include") ?? "";
                if (Matches(include, forbidden))
                {
                    crossings.Add($"{name}.csproj has a {item.Name.LocalName} to {include}");
                }
            }

            foreach (var reference in xml.Descendants().Where(e => e.Name.LocalName == "ProjectReference"))
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, ((string?)reference.Attribute("Include") ?? "").Replace('\\', Path.DirectorySeparatorChar)));
                var referenced = Path.GetFileNameWithoutExtension(path);
                if (layer == "Http")
                {
                    continue;
                }

                if (referenced == Adapters || referenced.StartsWith("Infomat.Privacy.Http", StringComparison.Ordinal))
                {
                    crossings.Add($"{name}.csproj has a ProjectReference to {referenced}");
                }

                pending.Push(path);
            }
        }

        Assert.True(crossings.Count == 0, "Project references across the adapter wall:\n" + string.Join("\n", crossings));
    }

    /// <summary>
    /// Inside Http only the composition root may name the adapters (it calls <c>AddInfomatAdapters</c>); every feature
    /// works through Core's ports. The assembly check above cannot see this (Http references the adapters for the
    /// composition root), so the sources are read: a <c>using</c> of an adapter namespace, or an adapter type named in
    /// full, in any other file is a crossing. A project-wide <c>&lt;Using&gt;</c> of one is caught in the project file.
    /// </summary>
    [Fact]
    public void Only_the_composition_root_in_Http_names_the_adapters()
    {
        var http = Path.Combine(RepositoryRoot(), "src", "Infomat.Privacy.Http");
        var root = Path.Combine(http, "Hosting", "PrivacyServices.cs");
        var crossings = new List<string>();
        foreach (var file in Directory.EnumerateFiles(http, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(http, file);
            // bin/ and obj/ hold build output, not sources; the composition root is the one allowed file.
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" || Path.GetFullPath(file) == Path.GetFullPath(root))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (AdapterNamespace().IsMatch(lines[i]))
                {
                    crossings.Add($"{relative.Replace(Path.DirectorySeparatorChar, '/')}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        var project = XDocument.Load(Path.Combine(http, "Infomat.Privacy.Http.csproj"));
        crossings.AddRange(project.Descendants()
            .Where(e => e.Name.LocalName == "Using" && AdapterNamespace().IsMatch((string?)e.Attribute("Include") ?? ""))
            .Select(e => $"Infomat.Privacy.Http.csproj: <Using Include=\"{(string?)e.Attribute("Include")}\" />"));

        Assert.True(crossings.Count == 0,
            "Http names the adapters outside Hosting/PrivacyServices.cs (add a port in Core, implement it in the adapters, register it in AddInfomatAdapters):\n"
            + string.Join("\n", crossings));
    }

    /// <summary>The adapters' root namespace or any below it, as a whole name (not a longer one that merely starts the same).</summary>
    [GeneratedRegex(@"\bInfomat\.Privacy\.Adapters(?![\w])")]
    private static partial Regex AdapterNamespace();

    private static (Assembly Assembly, string[] Forbidden) Layer(string layer) => layer switch
    {
        "Core" => (typeof(PrivacyCase).Assembly, CoreForbidden),
        "Workflow" => (typeof(PrivacyWorkflow).Assembly, WorkflowForbidden),
        "Http" => (typeof(PrivacyServices).Assembly, HttpForbidden),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, "Unknown layer."),
    };

    /// <summary>A prefix ending in a dot matches a namespace-like family; any other matches the name and its sub-assemblies.</summary>
    private static bool Matches(string assemblyName, IEnumerable<string> prefixes) => prefixes.Any(prefix =>
        prefix.EndsWith('.')
            ? assemblyName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            : assemblyName.Equals(prefix, StringComparison.OrdinalIgnoreCase) || assemblyName.StartsWith(prefix + ".", StringComparison.OrdinalIgnoreCase));

    /// <summary>The folder holding Infomat.Functions.sln, found from the test's output folder upwards.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Infomat.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Infomat.Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
