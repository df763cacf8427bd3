using System.Buffers;

namespace Oteleport.Storage.Writing;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}"/> arrays, usable as an <see cref="IBufferWriter{T}"/>
/// (for <see cref="System.Text.Json.Utf8JsonWriter"/>) and as a write-only <see cref="Stream"/> (for
/// <see cref="System.IO.Compression.GZipStream"/>). Dispose returns the array; the written bytes must not be used after.
/// </summary>
internal sealed class PooledBuffer : Stream, IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _written;

    public PooledBuffer(int initialCapacity = 16 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, initialCapacity));
    }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public int WrittenCount => _written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("advanced past the end of the buffer");
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var needed = Math.Max(1, sizeHint);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }
        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_written + needed));
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    /// <summary>Reads the rest of <paramref name="source"/> into the buffer.</summary>
    public async Task AppendAsync(Stream source, CancellationToken cancellationToken)
    {
        while (true)
        {
            var memory = GetMemory(1);
            var read = await source.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }
            _written += read;
        }
    }

    /// <summary>Reads the rest of <paramref name="source"/> into the buffer, synchronously.</summary>
    public void AppendSync(Stream source)
    {
        while (true)
        {
            var read = source.Read(GetSpan(1));
            if (read == 0)
            {
                return;
            }
            _written += read;
        }
    }

    // ---- Stream (write only) ----

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Append(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer) => Append(buffer);
    public override void WriteByte(byte value) => Append([value]);

    protected override void Dispose(bool disposing)
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        base.Dispose(disposing);
    }
}
