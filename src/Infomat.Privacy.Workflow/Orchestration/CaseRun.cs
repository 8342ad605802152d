using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infomat.Privacy.Workflow.Orchestration;

/// <summary>
/// The input of a case's run: the case id, and, when the case's writer sent its verification link just before it
/// started the run, until when the run waits for the address (decision 90). Ids and a date only, as everything in the
/// durable history. A run given that date waits at once, without reading the case first: a new case costs the task hub
/// one episode and no step before its requester answers. Reads the bare case id that runs started before this carry.
/// </summary>
/// <param name="CaseId">The case (and instance) id.</param>
[JsonConverter(typeof(CaseRunConverter))]
public sealed record CaseRun(string CaseId)
{
    /// <summary>Until when to wait for the address confirmation (UTC), when the writer sent the link and recorded it; otherwise null.</summary>
    public DateTime? LinkSentWaitUntilUtc { get; init; }
}

/// <summary>Writes a <see cref="CaseRun"/> as an object; reads that or the bare case id string of the runs before decision 90.</summary>
internal sealed class CaseRunConverter : JsonConverter<CaseRun>
{
    public override CaseRun? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new CaseRun(reader.GetString()!);
        }

        var wire = JsonSerializer.Deserialize<Wire>(ref reader, options)
            ?? throw new JsonException("A case run's input is null.");
        return new CaseRun(wire.CaseId ?? throw new JsonException("A case run's input has no caseId.")) { LinkSentWaitUntilUtc = wire.LinkSentWaitUntilUtc?.ToUniversalTime() };
    }

    /// <summary>
    /// A run without a date is written as the bare case id, as the release before wrote every run: a restart, a retry or a
    /// fresh run after a wait can be run by that release too (a rollback, or both releases side by side during a
    /// deployment). Only a new case's first run, started by this release's writer, carries the object.
    /// </summary>
    public override void Write(Utf8JsonWriter writer, CaseRun value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.LinkSentWaitUntilUtc is not { } until)
        {
            writer.WriteStringValue(value.CaseId);
            return;
        }

        JsonSerializer.Serialize(writer, new Wire(value.CaseId, until.ToUniversalTime()), options);
    }

    private sealed record Wire(
        [property: JsonPropertyName("caseId")] string? CaseId,
        [property: JsonPropertyName("linkSentWaitUntilUtc")] DateTime? LinkSentWaitUntilUtc);
}
