using System.Diagnostics.CodeAnalysis;

using Azure;
using Azure.Core;

namespace Infomat.LocalHost.Faults;

/// <summary>
/// The answer of a storage service that cannot take the request now (503), for a pipeline policy that injects the
/// fault without sending the request: the soak run's policy and the fault tests' use this one.
/// </summary>
public sealed class ServiceUnavailableResponse(string clientRequestId) : Response
{
    public override int Status => 503;

    // What the transport would have set: without it the SDK neither retries the 503 nor reports it as one.
    public override bool IsError => true;

    public override string ReasonPhrase => "Service Unavailable";

    public override Stream? ContentStream { get; set; } = new MemoryStream();

    public override string ClientRequestId { get; set; } = clientRequestId;

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => false;

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return false;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = null;
        return false;
    }
}
