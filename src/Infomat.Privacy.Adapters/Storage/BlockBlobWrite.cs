using System.Buffers;
using System.Buffers.Binary;

using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// A block blob written in blocks and committed in one request once the whole content is written
/// (<see cref="CommitAsync"/>): until then every reader sees the blob as it was, or no blob, and a write that breaks
/// part-way is never committed (the service drops its staged blocks at the blob's next commit, or after a week). <c>BlockBlobClient.OpenWrite(overwrite: true)</c>
/// does neither: it first replaces the blob with an empty one, and its stream commits what it holds when disposed,
/// after a failure too. So a step run twice (the durable provider delivers a step at least once) emptied the zip whose
/// link the requester had, and a write that broke left half a zip (decision 115).
/// </summary>
/// <remarks>
/// Each write's block ids start with a random prefix: two writes of one blob at once stage apart and never mix blocks;
/// the first to commit wins, and the other's commit either replaces it with a whole blob of its own or fails (its
/// blocks were dropped by the first commit), never leaving a mixed or partial one.
/// </remarks>
internal sealed class BlockBlobWrite(BlockBlobClient blob, CommitBlockListOptions? commit = null) : Stream
{
    private const int BlockSize = 4 * 1024 * 1024;
    private readonly byte[] prefix = Guid.NewGuid().ToByteArray();
    private readonly List<string> blocks = [];
    private byte[]? buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
    private int filled;
    private long written;
    private bool committed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !committed && buffer is not null;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => written;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Stages what is left and commits every block in order: the blob is now what was written, all at once. Returns the
    /// version committed (its ETag). Committed with <c>commit</c>'s headers, metadata and conditions: the commit fails (a
    /// <c>RequestFailedException</c>) when its conditions are not met.
    /// </summary>
    public async Task<Azure.ETag> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(buffer is null, this);
        if (filled > 0)
        {
            await StageAsync(cancellationToken);
        }

        var done = await blob.CommitBlockListAsync(blocks, commit ?? new CommitBlockListOptions(), cancellationToken);
        committed = true;
        return done.Value.ETag;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Take(buffer);
            buffer = buffer[taken..];
            if (filled == BlockSize)
            {
                Stage();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Take(buffer.Span);
            buffer = buffer[taken..];
            if (filled == BlockSize)
            {
                await StageAsync(cancellationToken);
            }
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (buffer is { } rented)
        {
            buffer = null;
            ArrayPool<byte>.Shared.Return(rented);
        }

        base.Dispose(disposing);
    }

    private int Take(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(buffer is null, this);
        if (committed)
        {
            throw new InvalidOperationException("The blob is committed; nothing more can be written to it.");
        }

        var taken = Math.Min(BlockSize - filled, data.Length);
        data[..taken].CopyTo(buffer.AsSpan(filled));
        filled += taken;
        written += taken;
        return taken;
    }

    /// <summary>
    /// The next block's id: the write's random prefix and the block's number, padded to 48 bytes (64 characters), the
    /// length the Blob SDK's own write stream uses. Every id staged on a blob must have one length, and a write of the
    /// SDK's stream cut short (before this class) may have left uncommitted blocks on it for up to a week.
    /// </summary>
    private string NextId()
    {
        Span<byte> id = stackalloc byte[48];
        id.Clear();
        prefix.CopyTo(id);
        BinaryPrimitives.WriteInt32BigEndian(id[16..], blocks.Count);
        return Convert.ToBase64String(id);
    }

    private void Stage()
    {
        var id = NextId();
        using var content = new MemoryStream(buffer!, 0, filled, writable: false);
        blob.StageBlock(id, content);
        blocks.Add(id);
        filled = 0;
    }

    private async Task StageAsync(CancellationToken cancellationToken)
    {
        var id = NextId();
        using var content = new MemoryStream(buffer!, 0, filled, writable: false);
        await blob.StageBlockAsync(id, content, cancellationToken: cancellationToken);
        blocks.Add(id);
        filled = 0;
    }
}
