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
/// page's end), and, for the previous answer on the connection, when it was written into Kestrel and when the kernel sent
/// it. Timestamps only; the local host only.
/// </summary>
internal static class TimedTransport
{
    private const string Key = "Infomat.TransportReadAt";

    /// <summary>Wraps every connection of <paramref name="listen"/>'s endpoint.</summary>
    public static void Use(ListenOptions listen) => listen.Use(next => connection =>
    {
        var clock = new ReadClock { Socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket };
        connection.Items[Key] = clock;
        connection.Transport = new TimedPipe(new TimedReader(connection.Transport.Input, clock), connection.Transport.Output);
        return next(connection);
    });

    /// <summary>
    /// Stamps that the answer to <paramref name="context"/> is written into Kestrel (the host's first middleware has
    /// returned), for the next request on the same connection to carry (<see cref="PreviousAnswer"/>).
    /// </summary>
    public static void MarkWritten(HttpContext context)
    {
        if (Clock(context) is { } clock)
        {
            clock.WrittenAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// Where the previous answer on <paramref name="context"/>'s connection went, by the <see cref="Stopwatch"/> clock:
    /// when it was written into Kestrel (<see cref="MarkWritten"/>) and when the kernel last sent data on the connection
    /// (<c>TCP_INFO</c>'s <c>tcpi_last_data_sent</c>, counted by the kernel's tick; null off Linux). Read as a request
    /// begins, before its own answer is sent: the last data sent is the previous answer. HTTP/1.x only, as
    /// <see cref="LastReadAt"/>; null for a connection's first request.
    /// </summary>
    public static (long Written, long? Sent)? PreviousAnswer(HttpContext context)
    {
        if (Clock(context) is not { WrittenAt: > 0 } clock)
        {
            return null;
        }

        return (clock.WrittenAt, LastDataSentMs(clock.Socket) is { } ms ? Stopwatch.GetTimestamp() - (long)(ms * Stopwatch.Frequency / 1000) : null);
    }

    private static ReadClock? Clock(HttpContext context) =>
        (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        && context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(Key, out var value) && value is ReadClock clock
            ? clock
            : null;

    /// <summary>How long ago the kernel last sent data on <paramref name="socket"/> (ms), or null off Linux or on a closed socket.</summary>
    private static double? LastDataSentMs(System.Net.Sockets.Socket? socket)
    {
        if (socket is null || !OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            Span<byte> info = stackalloc byte[104];
            // SOL_TCP, TCP_INFO: tcpi_last_data_sent is the 32-bit field at byte 44.
            return socket.GetRawSocketOption(6, 11, info) >= 48 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(info[44..]) : null;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The <see cref="Stopwatch"/> timestamp at which <paramref name="context"/>'s connection last read bytes, or null. HTTP/1.x
    /// only: there a request is parsed from a read of its own, so the last read before its pipeline is the one that
    /// brought it; an HTTP/2 connection reads other streams' frames meanwhile.
    /// </summary>
    public static long? LastReadAt(HttpContext context) => Clock(context) is { At: > 0 } clock ? clock.At : null;

    private sealed class ReadClock
    {
        private long at;

        private long writtenAt;

        /// <summary>The connection's socket, for the kernel's account of what it sent.</summary>
        public System.Net.Sockets.Socket? Socket { get; init; }

        /// <summary>When the last answer on the connection was written into Kestrel.</summary>
        public long WrittenAt
        {
            get => Volatile.Read(ref writtenAt);
            set => Volatile.Write(ref writtenAt, value);
        }

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
