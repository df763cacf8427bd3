namespace Oteleport.Query;

/// <summary>A fetch request that cannot be served as asked: answered with 400 / INVALID_ARGUMENT and this message.</summary>
public sealed class FetchRequestException(string message) : Exception(message);
