using System.Security.Cryptography;
using Oteleport.Cursor;
using Oteleport.Query;

namespace Oteleport.Core.Tests.Cursor;

public class AesGcmCursorCodecTests
{
    private static readonly byte[] Fingerprint = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private static CursorPosition Position => new("2024/10/23/09", "traces/2024/10/23/09/spans-20241023093000-AbCd1234.json.gz", 42, Fingerprint);

    [Test]
    public void Round_trips_a_position()
    {
        var codec = new AesGcmCursorCodec(RandomNumberGenerator.GetBytes(32));
        var decoded = codec.Decode(codec.Encode(Position));
        decoded.Partition.Should().Be(Position.Partition);
        decoded.ObjectKey.Should().Be(Position.ObjectKey);
        decoded.RecordOffset.Should().Be(42);
        decoded.QueryFingerprint.Should().Equal(Fingerprint);
    }

    [Test]
    public void Encodes_url_safe_and_differently_each_time()
    {
        var codec = new AesGcmCursorCodec(RandomNumberGenerator.GetBytes(32));
        var a = codec.Encode(Position);
        a.Should().MatchRegex("^[A-Za-z0-9_-]+$");
        codec.Encode(Position).Should().NotBe(a, "the nonce is random");
    }

    [Test]
    public void Rejects_every_single_flipped_bit()
    {
        var codec = new AesGcmCursorCodec(RandomNumberGenerator.GetBytes(32));
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(codec.Encode(Position));
        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x04;
            var act = () => codec.Decode(System.Buffers.Text.Base64Url.EncodeToString(tampered));
            act.Should().Throw<FetchRequestException>().WithMessage("invalid cursor*");
        }
    }

    [Test]
    public void Rejects_a_cursor_made_with_another_key()
    {
        var cursor = new AesGcmCursorCodec(RandomNumberGenerator.GetBytes(32)).Encode(Position);
        var act = () => new AesGcmCursorCodec(RandomNumberGenerator.GetBytes(32)).Decode(cursor);
        act.Should().Throw<FetchRequestException>().WithMessage("invalid cursor: it was modified or made by a server with another cursor key");
    }

    [TestCase("")]
    [TestCase("not base64 !!")]
    [TestCase("AAAA")]
    public void Rejects_garbage(string cursor)
    {
        var act = () => new AesGcmCursorCodec(RandomNumberGenerator.GetBytes(32)).Decode(cursor);
        act.Should().Throw<FetchRequestException>().WithMessage("invalid cursor*");
    }

    [Test]
    public void Cursor_keys_accept_base64_of_32_bytes_and_derive_from_other_lengths()
    {
        var raw = RandomNumberGenerator.GetBytes(32);
        CursorKey.Parse(Convert.ToBase64String(raw), out var derived).Should().Equal(raw);
        derived.Should().BeFalse();
        CursorKey.Parse(Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_'), out _).Should().Equal(raw);
        CursorKey.Parse(Convert.ToBase64String(raw[..16]), out derived).Should().HaveCount(32);
        derived.Should().BeTrue();
        var act = () => CursorKey.Parse("not*base64", out _);
        act.Should().Throw<FormatException>().WithMessage("*openssl rand -base64 32*");
    }
}
