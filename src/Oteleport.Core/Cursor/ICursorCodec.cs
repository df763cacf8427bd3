namespace Oteleport.Cursor;

/// <summary>Turns a paging position into an opaque, tamper-proof string and back.</summary>
public interface ICursorCodec
{
    /// <summary>Encrypts and authenticates <paramref name="position"/>.</summary>
    string Encode(CursorPosition position);

    /// <summary>Decrypts a cursor made by <see cref="Encode"/> with the same key.</summary>
    /// <exception cref="Query.FetchRequestException">The cursor is malformed, tampered with, or made with another key.</exception>
    CursorPosition Decode(string cursor);
}

/// <summary>Where the next page starts: a record of an object of a partition, for one query.</summary>
/// <param name="Partition">The partition folder, e.g. <c>2024/10/23/09</c>.</param>
/// <param name="ObjectKey">The key of the object that holds the next record.</param>
/// <param name="RecordOffset">The index of the next record among the object's records.</param>
/// <param name="QueryFingerprint">A digest of the query the cursor belongs to (signal, time range, filters).</param>
public sealed record CursorPosition(string Partition, string ObjectKey, int RecordOffset, byte[] QueryFingerprint);
