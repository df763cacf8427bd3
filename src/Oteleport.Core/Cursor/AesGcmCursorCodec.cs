using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Oteleport.Query;

namespace Oteleport.Cursor;

/// <summary>
/// AES-256-GCM over the cursor position with a random nonce, base64url without padding.
/// Unlike the Go server's AES-CFB, GCM authenticates: a flipped bit is an invalid cursor, not a random position.
/// </summary>
public sealed class AesGcmCursorCodec : ICursorCodec
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int FingerprintSize = 16;
    // Binds ciphertexts to this purpose, so the key cannot be misused to decrypt something else.
    private static readonly byte[] AssociatedData = "oteleport-cursor-v1"u8.ToArray();

    private readonly byte[] _key;

    /// <summary>Creates a codec over a 32-byte key.</summary>
    public AesGcmCursorCodec(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The cursor key must be 32 bytes.", nameof(key));
        }
        _key = key.ToArray();
    }

    /// <inheritdoc />
    public string Encode(CursorPosition position)
    {
        var partition = Encoding.UTF8.GetBytes(position.Partition);
        var objectKey = Encoding.UTF8.GetBytes(position.ObjectKey);
        // plaintext: offset(4) fingerprint(16) partitionLength(2) partition objectKey
        var plain = new byte[4 + FingerprintSize + 2 + partition.Length + objectKey.Length];
        BinaryPrimitives.WriteInt32BigEndian(plain, position.RecordOffset);
        position.QueryFingerprint.AsSpan(0, FingerprintSize).CopyTo(plain.AsSpan(4));
        BinaryPrimitives.WriteUInt16BigEndian(plain.AsSpan(4 + FingerprintSize), checked((ushort)partition.Length));
        partition.CopyTo(plain, 4 + FingerprintSize + 2);
        objectKey.CopyTo(plain, 4 + FingerprintSize + 2 + partition.Length);

        var output = new byte[1 + NonceSize + plain.Length + TagSize];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(1 + NonceSize, plain.Length), output.AsSpan(1 + NonceSize + plain.Length), AssociatedData);
        return Base64Url.EncodeToString(output);
    }

    /// <inheritdoc />
    public CursorPosition Decode(string cursor)
    {
        byte[] data;
        try
        {
            data = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            throw Invalid("it is not base64url");
        }
        if (data.Length < 1 + NonceSize + 4 + FingerprintSize + 2 + TagSize || data[0] != Version)
        {
            throw Invalid("it is truncated or of an unknown version");
        }
        var cipherLength = data.Length - 1 - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(data.AsSpan(1, NonceSize), data.AsSpan(1 + NonceSize, cipherLength), data.AsSpan(data.Length - TagSize), plain, AssociatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Invalid("it was modified or made by a server with another cursor key");
        }
        var offset = BinaryPrimitives.ReadInt32BigEndian(plain);
        var fingerprint = plain.AsSpan(4, FingerprintSize).ToArray();
        int partitionLength = BinaryPrimitives.ReadUInt16BigEndian(plain.AsSpan(4 + FingerprintSize));
        var rest = plain.AsSpan(4 + FingerprintSize + 2);
        if (partitionLength > rest.Length || offset < 0)
        {
            throw Invalid("its content is malformed");
        }
        return new CursorPosition(
            Encoding.UTF8.GetString(rest[..partitionLength]),
            Encoding.UTF8.GetString(rest[partitionLength..]),
            offset,
            fingerprint);
    }

    private static FetchRequestException Invalid(string why) => new($"invalid cursor: {why}");
}
