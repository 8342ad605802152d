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
        message.Response = new ServiceUnavailableResponse(message.Request.ClientRequestId);
        return true;
    }
}
