import CLibWebSockets
import Foundation

/// The protocol callback's C entry point. A connection is known by the index it was
/// given as opaque user data; the run is found through the context's user pointer.
func loadCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else { return 0 }
    let run = Unmanaged<LoadRun>.fromOpaque(owner).takeUnretainedValue()
    let tag = Int(bitPattern: lws_get_opaque_user_data(wsi))
    guard tag > 0 else { return lws_callback_http_dummy(wsi, reason, user, input, length) }
    return run.callback(wsi, index: tag - 1, reason, input, length)
}

/// The pacing timer's C entry point: finds the run behind the timer.
func loadTimerCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let owner = th_timer_owner(sul) else { return }
    Unmanaged<LoadRun>.fromOpaque(owner).takeUnretainedValue().tick()
}

extension LoadRun {
    func callback(_ wsi: OpaquePointer, index: Int, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        // Once the run is over, the context's teardown closes everything: nothing to count.
        guard !finished, index < clients.count else { return 0 }
        switch reason {
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let text = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "connection failed"
            failed(index, reason: text)
        case LWS_CALLBACK_RAW_CONNECTED:
            connected(index, wsi)
        case LWS_CALLBACK_RAW_RX:
            guard let input, length > 0 else { return 0 }
            return received(index, UnsafeRawBufferPointer(start: input, count: length))
        case LWS_CALLBACK_RAW_WRITEABLE:
            return writable(index, wsi)
        case LWS_CALLBACK_RAW_CLOSE:
            closed(index)
        // lws's ws client, for wss:// only (see LoadNative).
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            clients[index].wsi = wsi
            established(index)
        case LWS_CALLBACK_CLIENT_RECEIVE:
            guard let input else { return 0 }
            let first = lws_is_first_fragment(wsi) != 0
            let final = lws_is_final_fragment(wsi) != 0
            received(index, UnsafeRawBufferPointer(start: input, count: length), first: first, final: final)
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            return writable(index, wsi)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            let bytes = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length)
            clients[index].closeCode = bytes.count >= 2 ? Int(bytes[0]) << 8 | Int(bytes[1]) : 1005
        case LWS_CALLBACK_CLIENT_CLOSED:
            closed(index)
        default:
            break
        }
        return 0
    }
}
