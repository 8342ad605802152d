using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Threading.Channels;

namespace Infomat.Privacy.Export;

/// <summary>
/// Writes zip entries with serialization and compression on two threads: the caller serializes into the entry
/// streams this sink hands out, which cut the bytes into 64 KB chunks; one consumer task owns the
/// <see cref="ZipArchive"/> and compresses them in order. At most <see cref="QueuedChunks"/> chunks wait between the
/// two, so memory stays bounded whatever the export's size. Entries are written in the order they are opened, each with
/// the same timestamp, so the same input gives the same zip.
/// </summary>
internal sealed class ZipSink : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;
    private const int QueuedChunks = 16;

    private readonly Channel<Chunk> channel = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedChunks)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly CancellationTokenSource failed;
    private readonly Task consumer;
    private bool completed;

    private ZipSink(Stream output, DateTimeOffset stamp, CancellationToken cancellationToken)
    {
        failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        consumer = Task.Run(() => ConsumeAsync(output, stamp, failed.Token), CancellationToken.None);
    }

    public static ZipSink Start(Stream output, DateTimeOffset stamp, CancellationToken cancellationToken) => new(output, stamp, cancellationToken);

    /// <summary>Cancelled when the consumer failed (or the caller cancelled): producing more is pointless.</summary>
    public CancellationToken Token => failed.Token;

    /// <summary>Starts the next entry; dispose the returned stream before opening another.</summary>
    public async Task<Stream> OpenEntryAsync(string name, CancellationToken cancellationToken)
    {
        await PostAsync(new Chunk(name, null, 0), cancellationToken);
        return new EntryStream(this);
    }

    /// <summary>Waits until every entry is compressed and the zip's directory is written; surfaces the consumer's failure.</summary>
    public async Task CompleteAsync()
    {
        completed = true;
        channel.Writer.TryComplete();
        await consumer;
    }

    public async ValueTask DisposeAsync()
    {
        if (!completed)
        {
            // The producer failed: stop the consumer, and let the producer's exception be the one that surfaces.
            channel.Writer.TryComplete(new OperationCanceledException("The export was abandoned."));
            await failed.CancelAsync();
            try
            {
                await consumer;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException or InvalidDataException or IOException)
            {
            }
        }

        failed.Dispose();
    }

    private async ValueTask PostAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, failed.Token);
        try
        {
            await channel.Writer.WriteAsync(chunk, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && consumer.IsFaulted)
        {
            // The consumer failed (e.g. the blob could not be written): its exception is the cause.
            await consumer;
            throw;
        }
    }

    private async Task ConsumeAsync(Stream output, DateTimeOffset stamp, CancellationToken cancellationToken)
    {
        try
        {
            await using var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8, cancellationToken);
            Stream? entryStream = null;
            try
            {
                await foreach (var chunk in channel.Reader.ReadAllAsync(cancellationToken))
                {
                    if (chunk.NewEntry is { } name)
                    {
                        if (entryStream is not null)
                        {
                            await entryStream.DisposeAsync();
                        }

                        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                        entry.LastWriteTime = stamp;
                        entryStream = await entry.OpenAsync(cancellationToken);
                        continue;
                    }

                    try
                    {
                        await entryStream!.WriteAsync(chunk.Buffer.AsMemory(0, chunk.Count), cancellationToken);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(chunk.Buffer!);
                    }
                }
            }
            finally
            {
                if (entryStream is not null)
                {
                    await entryStream.DisposeAsync();
                }
            }
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private readonly record struct Chunk(string? NewEntry, byte[]? Buffer, int Count);

    /// <summary>The stream the producer writes one entry into: bytes are cut into pooled 64 KB chunks and queued.</summary>
    private sealed class EntryStream(ZipSink sink) : Stream
    {
        private byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int count;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> source)
        {
            while (source.Length > 0)
            {
                var n = Math.Min(source.Length, buffer.Length - count);
                source[..n].CopyTo(buffer.AsSpan(count));
                count += n;
                source = source[n..];
                if (count == buffer.Length)
                {
                    // Rare (writers here write asynchronously); blocks this producer thread until the queue has room.
                    PostBufferAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            while (source.Length > 0)
            {
                var n = Math.Min(source.Length, buffer.Length - count);
                source.Span[..n].CopyTo(buffer.AsSpan(count));
                count += n;
                source = source[n..];
                if (count == buffer.Length)
                {
                    await PostBufferAsync(cancellationToken);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override async ValueTask DisposeAsync()
        {
            if (count > 0)
            {
                await PostBufferAsync(CancellationToken.None);
            }

            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = [];
            }

            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && count > 0)
            {
                PostBufferAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }

            if (disposing && buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = [];
            }

            base.Dispose(disposing);
        }

        private async ValueTask PostBufferAsync(CancellationToken cancellationToken)
        {
            var full = buffer;
            var length = count;
            buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            count = 0;
            await sink.PostAsync(new Chunk(null, full, length), cancellationToken);
        }
    }
}
