using Oteleport.Server;

return await OteleportServer.RunAsync(args);
