// An ordinary minimal-API app with endpoints of its own, which also receives and serves
// telemetry with Oteleport under /oteleport on the same port.
var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddOteleport(options => options.Storage.Location = builder.Configuration["TelemetryFolder"] ?? "./telemetry-data")
    .UseFileSystemStorage();

var app = builder.Build();

app.MapGet("/", () => "Hello from the app; telemetry goes to /oteleport/v1/{traces|metrics|logs}.");
app.MapGet("/orders/{id:int}", (int id) => Results.Ok(new { id, status = "shipped" }));

// OTLP/HTTP at /oteleport/v1/traces, the API at /oteleport/api/traces/fetch, health at /oteleport/health.
app.MapOteleport("/oteleport");

app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
