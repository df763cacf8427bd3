using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Oteleport.Hosting.AspNetCore.Http;

/// <summary>Reads a request body whole, undoing gzip, within a size limit on both the sent and the decompressed bytes.</summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpContext context, long maxBytes)
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

        var raw = await ReadLimitedAsync(body, maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (!compressed)
        {
            return raw;
        }
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            return await ReadLimitedAsync(gzip, maxBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            throw ProtocolException.BadRequest("the body is not valid gzip");
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>; one byte more is a 413 and nothing further is read (a gzip bomb stops here).</summary>
    private static async Task<byte[]> ReadLimitedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    private static ProtocolException TooLarge(long maxBytes) =>
        ProtocolException.TooLarge($"the request body is larger than {maxBytes} bytes (limits.max_request_bytes)");
}
