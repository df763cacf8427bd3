using System.Security.Cryptography;
using System.Text;

namespace Oteleport.Cursor;

/// <summary>Reads the <c>cursor_encryption_key</c> setting.</summary>
public static class CursorKey
{
    /// <summary>The key size of AES-256.</summary>
    public const int Size = 32;

    /// <summary>
    /// Base64 (standard or URL-safe) of 32 bytes is used as it is. Other lengths, which the Go server
    /// padded with zeros or cut, are stretched with HKDF-SHA256 so that every byte of them counts;
    /// <paramref name="derived"/> tells the caller to warn.
    /// </summary>
    /// <exception cref="FormatException">The value is not base64.</exception>
    public static byte[] Parse(string value, out bool derived)
    {
        var bytes = DecodeBase64(value.Trim());
        if (bytes.Length == 0)
        {
            throw new FormatException("cursor_encryption_key is empty: generate one with `openssl rand -base64 32`.");
        }
        derived = bytes.Length != Size;
        return derived ? HKDF.DeriveKey(HashAlgorithmName.SHA256, bytes, Size, info: Encoding.ASCII.GetBytes("oteleport-cursor-key")) : bytes;
    }

    /// <summary>A new random key, base64-encoded.</summary>
    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(Size));

    private static byte[] DecodeBase64(string value)
    {
        var normalized = value.Replace('-', '+').Replace('_', '/');
        normalized = normalized.PadRight(normalized.Length + (4 - normalized.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(normalized);
        }
        catch (FormatException)
        {
            throw new FormatException("cursor_encryption_key is not base64: generate one with `openssl rand -base64 32`.");
        }
    }
}
