using Amazon.S3.Model;

namespace Oteleport.Storage.S3;

/// <summary>
/// The body of a GetObject response, read-only and forward-only. A connection that breaks while the
/// body is being read surfaces as <see cref="StorageUnavailableException"/>, as every other S3 failure
/// does; disposing the stream releases the HTTP response.
/// </summary>
internal sealed class S3ReadStream(GetObjectResponse response, S3ObjectStore store, string key) : Stream
{
    private readonly Stream _inner = response.ResponseStream;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;

    /// <summary>The stored size (the Content-Length of the response).</summary>
    public override long Length => response.ContentLength;

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _inner.Read(buffer);
        }
        catch (Exception ex) when (store.Map(ex, S3Operation.Get, key, CancellationToken.None) is { } mapped)
        {
            throw mapped;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (store.Map(ex, S3Operation.Get, key, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
