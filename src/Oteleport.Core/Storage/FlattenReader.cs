using Oteleport.Signals;

namespace Oteleport.Storage;

/// <summary>Reads JSON lines of flattened records (the Go server's <c>flatten: true</c> objects).</summary>
internal static class FlattenReader
{
    public static void Collect(SignalType signal, ReadOnlySpan<byte> content, List<SignalRecord> records) =>
        throw new InvalidDataException($"flattened {SignalLayout.FolderName(signal)} objects cannot be read yet");
}
