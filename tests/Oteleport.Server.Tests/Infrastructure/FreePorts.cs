using System.Net;
using System.Net.Sockets;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>Loopback ports that were free a moment ago: bound on port 0 for the OS to choose, then released.</summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            // All held at once, so the OS hands out distinct ports.
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
