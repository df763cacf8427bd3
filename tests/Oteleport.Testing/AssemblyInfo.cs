namespace Oteleport.Testing;
