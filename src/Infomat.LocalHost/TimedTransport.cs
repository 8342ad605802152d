using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Infomat.LocalHost;

/// <summary>
/// When a connection's bytes last reached Kestrel's HTTP layer: a connection middleware stamps each read from the
/// transport that brought bytes, as Kestrel's reader gets them (after the socket transport's hops through its I/O queue
/// and the thread pool; issue 21 item 3: a slow case-list look's time was outside the page and outside both
/// processes' waits for a thread; this tells the way to the host from Kestrel's own parsing and dispatch). The case
/// list's <c>Server-Timing</c> carries it (step <c>kestrel</c>, and the machine's monotonic clock at the read and at the
/// page's end). A timestamp only; the local host only.
/// </summary>
internal static class TimedTransport
{
    private const string Key = "Infomat.TransportReadAt";

    /// <summary>Wraps every connection of <paramref name="listen"/>'s endpoint.</summary>
    public static void Use(ListenOptions listen) => listen.Use(next => connection =>
    {
        var clock = new ReadClock();
        connection.Items[Key] = clock;
        connection.Transport = new TimedPipe(new TimedReader(connection.Transport.Input, clock), connection.Transport.Output);
        return next(connection);
    });

    /// <summary>
    /// The <see cref="Stopwatch"/> timestamp at which <paramref name="context"/>'s connection last read bytes, or null. HTTP/1.x
    /// only: there a request is parsed from a read of its own, so the last read before its pipeline is the one that
    /// brought it; an HTTP/2 connection reads other streams' frames meanwhile.
    /// </summary>
    public static long? LastReadAt(HttpContext context) =>
        (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        && context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(Key, out var value) && value is ReadClock { At: > 0 } clock
            ? clock.At
            : null;

    private sealed class ReadClock
    {
        private long at;

        public long At => Volatile.Read(ref at);

        public void Stamp(ReadResult result)
        {
            if (!result.Buffer.IsEmpty)
            {
                Volatile.Write(ref at, Stopwatch.GetTimestamp());
            }
        }
    }

    private sealed class TimedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class TimedReader(PipeReader inner, ReadClock clock) : PipeReader
    {
        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            clock.Stamp(result);
            return true;
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var pending = inner.ReadAsync(cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return Stamped(pending);
            }

            var result = pending.Result;
            clock.Stamp(result);
            return new ValueTask<ReadResult>(result);
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<ReadResult> Stamped(ValueTask<ReadResult> pending)
        {
            var result = await pending.ConfigureAwait(false);
            clock.Stamp(result);
            return result;
        }
    }
}
