using System.Runtime.InteropServices;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Oteleport.Storage.Writing;

namespace Oteleport.Hosting.AspNetCore.Http;

/// <summary>Reads a request body whole, undoing gzip, within a size limit on both the sent and the decompressed bytes.</summary>
internal static class RequestBody
{
    /// <summary>The body, decompressed; the caller disposes the buffer once it has decoded it.</summary>
    public static async Task<PooledBuffer> ReadAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        // Our own limit governs; Kestrel's default (30 MB) must not cut in first or later.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        Stream body = request.Body;
        var compressed = false;
        if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            compressed = true;
        }
        else if (encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw ProtocolException.UnsupportedMediaType($"Content-Encoding '{encoding}' is not supported: use gzip or none");
        }

        // Read once into a pooled buffer sized by Content-Length when it is sent; the caller decodes
        // straight from it and disposes it, so no copy of the body is made on the way.
        var raw = new PooledBuffer((int)Math.Clamp((request.ContentLength ?? 0) + 1, 4096, maxBytes + 1));
        try
        {
            await ReadLimitedAsync(body, raw, maxBytes, context.RequestAborted).ConfigureAwait(false);
            if (!compressed)
            {
                return raw;
            }
            var plain = new PooledBuffer((int)Math.Clamp(raw.WrittenCount * 6L, 4096, maxBytes + 1));
            try
            {
                MemoryMarshal.TryGetArray(raw.WrittenMemory, out var segment);
                using var gzip = new GZipStream(new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false), CompressionMode.Decompress);
                await ReadLimitedAsync(gzip, plain, maxBytes, context.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                plain.Dispose();
                throw ProtocolException.BadRequest("the body is not valid gzip");
            }
            catch
            {
                plain.Dispose();
                throw;
            }
            raw.Dispose();
            return plain;
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>; one byte more is a 413 and nothing further is read (a gzip bomb stops here).</summary>
    private static async Task ReadLimitedAsync(Stream stream, PooledBuffer buffer, long maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var memory = buffer.GetMemory(1);
            // Never more than one byte past the limit, so the check below sees it and stops.
            var room = (int)Math.Min(memory.Length, maxBytes + 1 - buffer.WrittenCount);
            var read = await stream.ReadAsync(memory[..room], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }
    }

    private static ProtocolException TooLarge(long maxBytes) =>
        ProtocolException.TooLarge($"the request body is larger than {maxBytes} bytes (limits.max_request_bytes)");
}
