using System.Diagnostics.CodeAnalysis;

using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Infomat.LocalHost.Faults;

/// <summary>
/// On the wire of the storage clients (Table, Blob, Queue), on every try: answers a share of the requests with 503
/// Service Unavailable without sending them, as a storage account under pressure does. The SDK's retries see it too.
/// </summary>
internal sealed class StorageFaultPolicy(FaultDice dice) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!Fail(message))
        {
            ProcessNext(message, pipeline);
        }
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        Fail(message) ? ValueTask.CompletedTask : ProcessNextAsync(message, pipeline);

    private bool Fail(HttpMessage message)
    {
        if (!dice.Roll(dice.Options.StorageFailureRate))
        {
            return false;
        }

        dice.StorageFailed();
        message.Response = new Unavailable(message.Request.ClientRequestId);
        return true;
    }

    /// <summary>The answer of a service that cannot take the request now.</summary>
    private sealed class Unavailable(string clientRequestId) : Response
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
}
