using Google.Protobuf;

namespace Oteleport.Storage.Flatten;

/// <summary>
/// The containers (ResourceX, ScopeX, Metric) of the records read from one flatten object, one instance
/// per distinct value. Records that share an instance are regrouped by
/// <see cref="Signals.ISignalShape{TData}.Build"/>, so a page rebuilt from flattened lines has one
/// resource, scope and metric per run of equal values, as the document it was flattened from had.
/// </summary>
internal sealed class FlattenContainers
{
    // Generated messages compare and hash by value, and a ResourceSpans never equals a ScopeSpans or a
    // Metric, so one map serves every container type.
    private readonly Dictionary<IMessage, IMessage> _instances = new();

    /// <summary>The instance equal to <paramref name="candidate"/> seen first in this object, or the candidate itself.</summary>
    public T Share<T>(T candidate) where T : class, IMessage
    {
        if (_instances.TryGetValue(candidate, out var shared))
        {
            return (T)shared;
        }
        _instances.Add(candidate, candidate);
        return candidate;
    }
}
