using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Oteleport.Signals;

/// <summary>The common shape of traces and logs: resource -> scope -> records.</summary>
internal abstract class ResourceScopeShape<TData, TResource, TScope, TItem> : ISignalShape<TData>
    where TData : IMessage<TData>, new()
    where TResource : class, IMessage
    where TScope : class, IMessage
    where TItem : class, IMessage
{
    public abstract SignalType Signal { get; }

    protected abstract RepeatedField<TResource> ResourcesOf(TData data);
    protected abstract RepeatedField<TScope> ScopesOf(TResource resource);
    protected abstract RepeatedField<TItem> ItemsOf(TScope scope);
    protected abstract ulong TimeOf(TItem item);
    /// <summary>A copy of the container without its children.</summary>
    protected abstract TResource EmptyCopy(TResource resource);
    /// <summary>A copy of the container without its children.</summary>
    protected abstract TScope EmptyCopy(TScope scope);

    public void Collect(TData data, List<SignalRecord> records)
    {
        foreach (var resource in ResourcesOf(data))
        {
            foreach (var scope in ScopesOf(resource))
            {
                foreach (var item in ItemsOf(scope))
                {
                    records.Add(new SignalRecord(resource, scope, null, item, TimeOf(item)));
                }
            }
        }
    }

    public TData Build(IEnumerable<SignalRecord> records)
    {
        var data = new TData();
        IMessage? lastResource = null, lastScope = null;
        TResource? resourceOut = null;
        TScope? scopeOut = null;
        foreach (var record in records)
        {
            if (!ReferenceEquals(record.Resource, lastResource))
            {
                resourceOut = EmptyCopy((TResource)record.Resource);
                ResourcesOf(data).Add(resourceOut);
                lastResource = record.Resource;
                lastScope = null;
            }
            if (!ReferenceEquals(record.Scope, lastScope))
            {
                scopeOut = EmptyCopy((TScope)record.Scope);
                ScopesOf(resourceOut!).Add(scopeOut);
                lastScope = record.Scope;
            }
            ItemsOf(scopeOut!).Add((TItem)record.Item);
        }
        return data;
    }
}
