using System.Reflection;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Ops find and alert on a log line by its event id. Two messages under one id hid each other: the retention sweep's
/// summary and a link's storage fault (120), an orchestration's start and a case's rights applied at once (10), the
/// local host's reconciliation and hold sweep failures (111). Every product assembly a host runs is read, as built.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly string[] Product =
        ["Infomat.Privacy.Core", "Infomat.Privacy.Workflow", "Infomat.Privacy.Http", "Infomat.Privacy.Adapters", "Infomat.LocalHost"];

    [Fact]
    public void Every_log_message_has_an_event_id_of_its_own()
    {
        var messages = Product.Select(Assembly.Load)
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 50, $"only {messages.Count} log messages found: the assemblies were not read");
        var unnumbered = messages.Where(m => m.Attribute!.EventId <= 0).Select(m => m.Method).ToList();
        Assert.True(unnumbered.Count == 0, "Log messages without an event id:\n" + string.Join("\n", unnumbered));
        var shared = messages.GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();
        Assert.True(shared.Count == 0, "Event ids used by more than one log message:\n" + string.Join("\n", shared));
    }
}
