namespace Oteleport.Otlp.Json;

/// <summary>Upper-case hexadecimal encoding and case-insensitive decoding over UTF-8 spans.</summary>
internal static class Hex
{
    private static ReadOnlySpan<byte> UpperDigits => "0123456789ABCDEF"u8;

    /// <summary>Writes two upper-case hex digits per byte; <paramref name="destination"/> holds at least twice the source length.</summary>
    public static void EncodeUpper(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var digits = UpperDigits;
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            destination[2 * i] = digits[b >> 4];
            destination[2 * i + 1] = digits[b & 0xF];
        }
    }

    /// <summary>
    /// Decodes pairs of hex digits (any case) into <paramref name="destination"/>, whose length is half the source's.
    /// Returns false when a character is not a hex digit.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var hi = ValueOf(source[2 * i]);
            var lo = ValueOf(source[2 * i + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }
            destination[i] = (byte)((hi << 4) | lo);
        }
        return true;
    }

    private static int ValueOf(byte c)
    {
        // Digits map to 0..9; letters are folded to lower case and map to 10..15; everything else is -1.
        var digit = c - '0';
        if ((uint)digit <= 9)
        {
            return digit;
        }
        var letter = (c | 0x20) - 'a';
        return (uint)letter <= 5 ? letter + 10 : -1;
    }
}
