using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Oteleport.Storage.Summaries;

/// <summary>A small Bloom filter over byte strings (trace ids): "certainly absent" or "maybe present".</summary>
internal sealed class BloomFilter
{
    private readonly byte[] _bits;

    public BloomFilter(int bitCount, int hashCount)
    {
        _bits = new byte[(Math.Max(bitCount, 8) + 7) / 8];
        HashCount = hashCount;
    }

    public BloomFilter(byte[] bits, int hashCount)
    {
        _bits = bits;
        HashCount = hashCount;
    }

    public int HashCount { get; }

    public byte[] Bits => _bits;

    /// <summary>Sizes a filter for <paramref name="items"/> at about 1% false positives, within <paramref name="maxBytes"/>.</summary>
    public static BloomFilter For(int items, int maxBytes)
    {
        var bits = Math.Clamp(items * 10, 64, maxBytes * 8);
        var hashes = Math.Clamp((int)Math.Round(bits / (double)Math.Max(items, 1) * Math.Log(2)), 1, 10);
        return new BloomFilter(bits, hashes);
    }

    public void Add(ReadOnlySpan<byte> item)
    {
        var (h1, h2) = Hash(item);
        var m = (ulong)_bits.Length * 8;
        for (var i = 0UL; i < (ulong)HashCount; i++)
        {
            var bit = (h1 + i * h2) % m;
            _bits[bit / 8] |= (byte)(1 << (int)(bit % 8));
        }
    }

    public bool MightContain(ReadOnlySpan<byte> item)
    {
        var (h1, h2) = Hash(item);
        var m = (ulong)_bits.Length * 8;
        for (var i = 0UL; i < (ulong)HashCount; i++)
        {
            var bit = (h1 + i * h2) % m;
            if ((_bits[bit / 8] & (1 << (int)(bit % 8))) == 0)
            {
                return false;
            }
        }
        return true;
    }

    // Double hashing from one 128-bit hash: h1 + i*h2 gives the k positions.
    private static (ulong, ulong) Hash(ReadOnlySpan<byte> item)
    {
        // A persisted filter needs a hash that is the same in every process (not string.GetHashCode).
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(item, hash);
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]) | 1);
    }
}
