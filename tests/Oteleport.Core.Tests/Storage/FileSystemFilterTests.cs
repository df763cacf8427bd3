using Oteleport.Storage;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

public class FileSystemFilterTests : SignalStoreFilterTests
{
    private SignalStoreFixture? _fixture;

    protected override Task<ISignalStore> CreateStoreAsync()
    {
        _fixture = new SignalStoreFixture();
        return Task.FromResult(_fixture.Store);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _fixture?.Dispose();
        _fixture?.Folder.Dispose();
    }
}
