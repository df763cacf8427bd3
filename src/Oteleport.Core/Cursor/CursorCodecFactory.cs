using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Oteleport.Options;

namespace Oteleport.Cursor;

/// <summary>A place that keeps a generated cursor key across restarts (the file store's folder).</summary>
internal interface ICursorKeyStore
{
    /// <summary>Returns the kept key, generating and keeping one the first time.</summary>
    byte[] GetOrCreateKey();
}

/// <summary>Chooses the cursor key: the configured one, else a kept generated one, else one for this process.</summary>
internal static partial class CursorCodecFactory
{
    public static ICursorCodec Create(IOptions<OteleportOptions> options, ICursorKeyStore? keyStore, ILogger logger)
    {
        var configured = options.Value.Storage.CursorEncryptionKey;
        if (!string.IsNullOrEmpty(configured))
        {
            var key = CursorKey.Parse(configured, out var derived);
            if (derived)
            {
                LogDerivedKey(logger);
            }
            return new AesGcmCursorCodec(key);
        }
        if (keyStore is not null)
        {
            return new AesGcmCursorCodec(keyStore.GetOrCreateKey());
        }
        LogEphemeralKey(logger);
        return new AesGcmCursorCodec(System.Security.Cryptography.RandomNumberGenerator.GetBytes(CursorKey.Size));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "storage.cursor_encryption_key is not 32 bytes; a 32-byte key was derived from it. Use `openssl rand -base64 32` for a full-strength key.")]
    private static partial void LogDerivedKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "storage.cursor_encryption_key is not set: cursors are valid only until this process stops, and only on this instance. Set it (openssl rand -base64 32) when running several instances.")]
    private static partial void LogEphemeralKey(ILogger logger);
}
