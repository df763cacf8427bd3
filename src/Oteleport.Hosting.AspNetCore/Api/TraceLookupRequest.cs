using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Oteleport.Hosting.AspNetCore.Http;

namespace Oteleport.Hosting.AspNetCore.Api;

/// <summary>Reads the trace id and the time range of a trace lookup from its URL.</summary>
internal static class TraceLookupRequest
{
    public static ByteString ParseTraceId(string? text)
    {
        if (text is null || text.Length != 32 || !text.All(char.IsAsciiHexDigit))
        {
            throw ProtocolException.BadRequest($"'{text}' is not a trace id: use 32 hex digits");
        }
        return ByteString.CopyFrom(Convert.FromHexString(text));
    }

    public static ulong ParseTime(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return 0;
        }
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ProtocolException.BadRequest($"{name} must be a number of nanoseconds since the Unix epoch");
    }
}
