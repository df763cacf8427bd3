namespace Oteleport.Hosting.Lambda.Server;

/// <summary>
/// The response body as the app sees it: writes land in a buffer, and the first one starts the response
/// (runs the OnStarting callbacks) as on any server. Reading and seeking are not offered.
/// </summary>
internal sealed class ResponseBodyStream(MemoryStream buffer, Func<CancellationToken, Task> start) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer1, int offset, int count) => Write(buffer1.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> source)
    {
        start(CancellationToken.None).GetAwaiter().GetResult();
        buffer.Write(source);
    }

    public override Task WriteAsync(byte[] buffer1, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer1.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        await start(cancellationToken).ConfigureAwait(false);
        buffer.Write(source.Span);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => start(cancellationToken);

    public override int Read(byte[] buffer1, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
