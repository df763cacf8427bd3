using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Hosting.AspNetCore.Api;
using Oteleport.Proto.V1;

namespace Oteleport.Hosting.AspNetCore.Otlp;

/// <summary>
/// The gRPC methods of Oteleport's services, bound here rather than by the generated service bases so that a
/// request message that is not valid protobuf is INVALID_ARGUMENT, as the OTLP specification asks for data
/// that cannot be decoded: with the generated marshallers the parse error escapes the handler and the
/// client gets UNKNOWN "Exception was thrown by handler", gRPC's 500. The wire names are the generated ones.
/// </summary>
internal sealed class OteleportGrpcMethods :
    IServiceMethodProvider<TraceReceiver>,
    IServiceMethodProvider<MetricsReceiver>,
    IServiceMethodProvider<LogsReceiver>,
    IServiceMethodProvider<FetchGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TraceReceiver> context) =>
        context.AddUnaryMethod(Unary<ExportTraceServiceRequest, ExportTraceServiceResponse>(TraceService.Descriptor, "Export"), [],
            (service, request, call) => service.Export(request, call));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<MetricsReceiver> context) =>
        context.AddUnaryMethod(Unary<ExportMetricsServiceRequest, ExportMetricsServiceResponse>(MetricsService.Descriptor, "Export"), [],
            (service, request, call) => service.Export(request, call));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<LogsReceiver> context) =>
        context.AddUnaryMethod(Unary<ExportLogsServiceRequest, ExportLogsServiceResponse>(LogsService.Descriptor, "Export"), [],
            (service, request, call) => service.Export(request, call));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<FetchGrpcService> context)
    {
        var service = OterlportService.Descriptor;
        context.AddUnaryMethod(Unary<FetchTracesDataRequest, FetchTracesDataResponse>(service, "FetchTracesData"), [], (s, r, c) => s.FetchTracesData(r, c));
        context.AddUnaryMethod(Unary<FetchMetricsDataRequest, FetchMetricsDataResponse>(service, "FetchMetricsData"), [], (s, r, c) => s.FetchMetricsData(r, c));
        context.AddUnaryMethod(Unary<FetchLogsDataRequest, FetchLogsDataResponse>(service, "FetchLogsData"), [], (s, r, c) => s.FetchLogsData(r, c));
        context.AddUnaryMethod(Unary<GetTraceRequest, FetchTracesDataResponse>(service, "GetTrace"), [], (s, r, c) => s.GetTrace(r, c));
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(Google.Protobuf.Reflection.ServiceDescriptor service, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        if (service.FindMethodByName(name) is null)
        {
            throw new InvalidOperationException($"{service.FullName} has no method {name}");
        }
        return new Method<TRequest, TResponse>(MethodType.Unary, service.FullName, name, Marshaller<TRequest>(), Marshaller<TResponse>());
    }

    private static Marshaller<T> Marshaller<T>() where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(static () => new T());
        return Marshallers.Create<T>(
            static (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context =>
            {
                try
                {
                    return parser.ParseFrom(context.PayloadAsReadOnlySequence());
                }
                catch (InvalidProtocolBufferException ex)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"invalid protobuf message: {ex.Message}"));
                }
            });
    }
}
