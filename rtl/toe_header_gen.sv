// toe_header_gen: forms the Ethernet II / IPv4 / TCP header of one transmit
// segment per request and streams it out as 8-byte beats.
//
// Contract: DESIGN.md "Header generator RTL contract"; timing: docs/timing.md
// "Header generator". Two pipeline stages:
//   stage 1  registers an accepted request. req_ready_o = !s1_valid_q comes
//            straight from a flop, so there is no combinational path from
//            hdr_ready_i to req_ready_o.
//   stage 2  the output register: the whole header (both checksums computed
//            combinationally from the stage-1 registers while it loads), a
//            count of beats still to send and the hdr_last_o flag. It shifts
//            down by one beat per transfer, so hdr_data_o is always its low
//            64 bits and every output comes straight from a flop.
// Stage 1 moves into stage 2 when stage 2 is empty or is transferring its
// last beat in that cycle, so back-to-back headers stream with no idle beat.
// A request handshaken in cycle A shows its first beat in cycle A+2 if the
// output is free. Synchronous active-low reset drops everything in flight.
module toe_header_gen (
  input  logic        clk_i,
  input  logic        rst_ni,

  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [47:0] req_dst_mac_i,
  input  logic [47:0] req_src_mac_i,
  input  logic [31:0] req_src_ip_i,
  input  logic [31:0] req_dst_ip_i,
  input  logic [15:0] req_ip_id_i,
  input  logic [7:0]  req_ttl_i,
  input  logic [15:0] req_src_port_i,
  input  logic [15:0] req_dst_port_i,
  input  logic [31:0] req_seq_i,
  input  logic [31:0] req_ack_i,
  input  logic [7:0]  req_flags_i,
  input  logic [15:0] req_window_i,
  input  logic [15:0] req_payload_len_i,
  input  logic [15:0] req_payload_csum_i,
  input  logic        req_ts_en_i,
  input  logic [31:0] req_tsval_i,
  input  logic [31:0] req_tsecr_i,

  output logic        hdr_valid_o,
  input  logic        hdr_ready_i,
  output logic [63:0] hdr_data_o,
  output logic [7:0]  hdr_keep_o,
  output logic        hdr_last_o
);

  // The header register holds the longest header, 66 bytes; a 54-byte
  // header leaves the option bytes zero, and each beat shifts zeros in at
  // the top, so bytes past hdr_keep_o are zero.
  localparam int BeatBytes = 8;
  localparam int HdrBytes  = 66;
  localparam int HdrBits   = HdrBytes * 8;
  // Beats still to send after the first one: 7 beats for 54 bytes, 9 for 66.
  localparam logic [3:0]  MoreBeatsPlain = 4'd6;
  localparam logic [3:0]  MoreBeatsTs    = 4'd8;
  // Valid bytes in the last beat: 54 = 6*8 + 6, 66 = 8*8 + 2.
  localparam logic [7:0]  LastKeepPlain  = 8'h3f;
  localparam logic [7:0]  LastKeepTs     = 8'h03;
  localparam logic [15:0] EtherTypeIpv4  = 16'h0800;
  localparam logic [7:0]  IpProtoTcp     = 8'd6;
  // IPv4 version 4, IHL 5 (RFC 791 section 3.1), TOS 0.
  localparam logic [15:0] IpVerIhlTos    = 16'h4500;
  // Flags DF (bit 14 of the flags/fragment word), fragment offset 0.
  localparam logic [15:0] IpFlagsFrag    = 16'h4000;
  // NOP, NOP, kind 8 length 10 (RFC 7323 section 3, appendix A layout).
  localparam logic [31:0] TsOptionHead   = 32'h0101_080a;
  localparam logic [15:0] IpBytes        = 16'd20;
  localparam logic [15:0] TcpBytesPlain  = 16'd20;
  localparam logic [15:0] TcpBytesTs     = 16'd32;
  // TCP data offset in 32-bit words.
  localparam logic [3:0]  DataOffPlain   = 4'd5;
  localparam logic [3:0]  DataOffTs      = 4'd8;

  // ---------------------------------------------------------------------------
  // Stage 1: the accepted request
  // ---------------------------------------------------------------------------
  logic        s1_valid_q, s1_valid_d;
  logic        s1_load;
  logic        s1_to_s2;
  logic [47:0] s1_dst_mac_q, s1_src_mac_q;
  logic [31:0] s1_src_ip_q, s1_dst_ip_q;
  logic [15:0] s1_ip_id_q;
  logic [7:0]  s1_ttl_q;
  logic [15:0] s1_src_port_q, s1_dst_port_q;
  logic [31:0] s1_seq_q, s1_ack_q;
  logic [7:0]  s1_flags_q;
  logic [15:0] s1_window_q, s1_payload_csum_q;
  logic [15:0] s1_tcp_len_q, s1_ip_len_q;  // see below
  logic        s1_ts_en_q;
  logic [31:0] s1_tsval_q, s1_tsecr_q;

  // Stage 1 keeps the lengths rather than the payload length: the two
  // 16-bit additions then sit before the stage-1 flops instead of in front
  // of the checksum adders, the longest path. The lengths wrap modulo 2^16
  // like the 16-bit fields that carry them; a payload above 65535 - 20 - 32
  // is not a valid IPv4 datagram anyway.
  logic [15:0] req_tcp_len;  // TCP header + payload: the pseudo-header length
  logic [15:0] req_ip_len;   // IPv4 total length
  assign req_tcp_len = req_payload_len_i + (req_ts_en_i ? TcpBytesTs : TcpBytesPlain);
  assign req_ip_len  = req_payload_len_i + (req_ts_en_i ? IpBytes + TcpBytesTs
                                                        : IpBytes + TcpBytesPlain);

  assign req_ready_o = !s1_valid_q;
  assign s1_load     = req_valid_i && req_ready_o;
  assign s1_valid_d  = s1_load || (s1_valid_q && !s1_to_s2);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
    end else begin
      s1_valid_q <= s1_valid_d;
    end
  end

  // The request fields need no reset: they are only read while s1_valid_q.
  always_ff @(posedge clk_i) begin
    if (s1_load) begin
      s1_dst_mac_q      <= req_dst_mac_i;
      s1_src_mac_q      <= req_src_mac_i;
      s1_src_ip_q       <= req_src_ip_i;
      s1_dst_ip_q       <= req_dst_ip_i;
      s1_ip_id_q        <= req_ip_id_i;
      s1_ttl_q          <= req_ttl_i;
      s1_src_port_q     <= req_src_port_i;
      s1_dst_port_q     <= req_dst_port_i;
      s1_seq_q          <= req_seq_i;
      s1_ack_q          <= req_ack_i;
      s1_flags_q        <= req_flags_i;
      s1_window_q       <= req_window_i;
      s1_tcp_len_q      <= req_tcp_len;
      s1_ip_len_q       <= req_ip_len;
      s1_payload_csum_q <= req_payload_csum_i;
      s1_ts_en_q        <= req_ts_en_i;
      s1_tsval_q        <= req_tsval_i;
      s1_tsecr_q        <= req_tsecr_i;
    end
  end

  // ---------------------------------------------------------------------------
  // Header forming (combinational, from the stage-1 registers)
  // ---------------------------------------------------------------------------
  logic [31:0] tsval, tsecr; // zero without the Timestamps option
  logic [18:0] ip_sum;       // 9 words: at most 19'h7_8400
  logic [20:0] tcp_sum;      // 23 words: below 2^21
  logic [16:0] ip_fold, tcp_fold;
  logic [15:0] ip_fold_inc, tcp_fold_inc;
  logic [15:0] ip_csum, tcp_csum;
  logic [HdrBits-1:0] hdr_wire;  // wire order: first byte in the top bits
  logic [HdrBits-1:0] hdr_form;  // beat order: first byte in bits [7:0]

  // (Constant parts such as the data offset stay inline below rather than in
  // named signals, so toggle coverage only counts bits that can change.)
  assign tsval = s1_ts_en_q ? s1_tsval_q : 32'd0;
  assign tsecr = s1_ts_en_q ? s1_tsecr_q : 32'd0;

  // Internet checksum (RFC 1071): a wide two's-complement sum of the 16-bit
  // words, folded (low half + high half, whose carry goes around once more),
  // then inverted. A sum that folds to 16'hffff gives 16'h0000. Words that
  // are zero (checksum field, urgent pointer) are left out of the sums.
  assign ip_sum = 19'(IpVerIhlTos) + 19'(s1_ip_len_q) + 19'(s1_ip_id_q) +
                  19'(IpFlagsFrag) + 19'({s1_ttl_q, IpProtoTcp}) +
                  19'(s1_src_ip_q[31:16]) + 19'(s1_src_ip_q[15:0]) +
                  19'(s1_dst_ip_q[31:16]) + 19'(s1_dst_ip_q[15:0]);

  // RFC 9293 section 3.1: pseudo-header (source, destination, protocol, TCP
  // length), the TCP header with its options, and the payload's folded sum.
  assign tcp_sum = 21'(s1_src_ip_q[31:16]) + 21'(s1_src_ip_q[15:0]) +
                   21'(s1_dst_ip_q[31:16]) + 21'(s1_dst_ip_q[15:0]) +
                   21'(IpProtoTcp) + 21'(s1_tcp_len_q) +
                   21'(s1_src_port_q) + 21'(s1_dst_port_q) +
                   21'(s1_seq_q[31:16]) + 21'(s1_seq_q[15:0]) +
                   21'(s1_ack_q[31:16]) + 21'(s1_ack_q[15:0]) +
                   21'({s1_ts_en_q ? DataOffTs : DataOffPlain, 4'd0, s1_flags_q}) +
                   21'(s1_window_q) +
                   (s1_ts_en_q ? 21'(TsOptionHead[31:16]) + 21'(TsOptionHead[15:0]) : 21'd0) +
                   21'(tsval[31:16]) + 21'(tsval[15:0]) +
                   21'(tsecr[31:16]) + 21'(tsecr[15:0]) +
                   21'(s1_payload_csum_q);

  // The end-around carry without a second carry chain: low + high carries
  // out at most once, and then the result is low + high + 1 (mod 2^16),
  // which is computed alongside and selected by that carry.
  assign ip_fold      = {1'b0, ip_sum[15:0]} + {14'd0, ip_sum[18:16]};
  assign ip_fold_inc  = ip_sum[15:0] + {13'd0, ip_sum[18:16]} + 16'd1;
  assign ip_csum      = ~(ip_fold[16] ? ip_fold_inc : ip_fold[15:0]);
  assign tcp_fold     = {1'b0, tcp_sum[15:0]} + {12'd0, tcp_sum[20:16]};
  assign tcp_fold_inc = tcp_sum[15:0] + {11'd0, tcp_sum[20:16]} + 16'd1;
  assign tcp_csum     = ~(tcp_fold[16] ? tcp_fold_inc : tcp_fold[15:0]);

  // The frame in wire order, most significant byte first (RFC 791 section
  // 3.1, RFC 9293 section 3.1 layouts).
  assign hdr_wire = {
    // Ethernet II: 14 bytes
    s1_dst_mac_q, s1_src_mac_q, EtherTypeIpv4,
    // IPv4: 20 bytes
    IpVerIhlTos, s1_ip_len_q, s1_ip_id_q, IpFlagsFrag,
    s1_ttl_q, IpProtoTcp, ip_csum, s1_src_ip_q, s1_dst_ip_q,
    // TCP: 20 bytes, then 12 bytes of options or zero
    s1_src_port_q, s1_dst_port_q, s1_seq_q, s1_ack_q,
    s1_ts_en_q ? DataOffTs : DataOffPlain, 4'd0, s1_flags_q,
    s1_window_q, tcp_csum, 16'd0,
    s1_ts_en_q ? TsOptionHead : 32'd0, tsval, tsecr
  };

  // The first wire byte leaves first, in hdr_data_o[7:0]: reverse the bytes.
  for (genvar i = 0; i < HdrBits / 8; i++) begin : g_byte_order
    assign hdr_form[8*i +: 8] = hdr_wire[HdrBits - 8*(i+1) +: 8];
  end

  // ---------------------------------------------------------------------------
  // Stage 2: the output register
  // ---------------------------------------------------------------------------
  logic               s2_valid_q, s2_valid_d;
  logic [HdrBits-1:0] s2_hdr_q, s2_hdr_d;
  logic [3:0]         s2_more_q, s2_more_d;  // beats after the current one
  logic               s2_last_q, s2_last_d;
  logic               s2_ts_q, s2_ts_d;
  logic               beat_done;

  assign beat_done = s2_valid_q && hdr_ready_i;
  assign s1_to_s2  = s1_valid_q && (!s2_valid_q || (beat_done && s2_last_q));

  always_comb begin
    s2_valid_d = s2_valid_q;
    s2_hdr_d   = s2_hdr_q;
    s2_more_d  = s2_more_q;
    s2_last_d  = s2_last_q;
    s2_ts_d    = s2_ts_q;
    if (s1_to_s2) begin
      s2_valid_d = 1'b1;
      s2_hdr_d   = hdr_form;
      s2_more_d  = s1_ts_en_q ? MoreBeatsTs : MoreBeatsPlain;
      s2_last_d  = 1'b0;
      s2_ts_d    = s1_ts_en_q;
    end else if (beat_done) begin
      s2_valid_d = !s2_last_q;
      s2_hdr_d   = {{BeatBytes*8{1'b0}}, s2_hdr_q[HdrBits-1:BeatBytes*8]};
      s2_more_d  = s2_more_q - 4'd1;
      s2_last_d  = (s2_more_q == 4'd1);
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      s2_valid_q <= 1'b0;
      s2_hdr_q   <= '0;
      s2_more_q  <= 4'd0;
      s2_last_q  <= 1'b0;
      s2_ts_q    <= 1'b0;
    end else begin
      s2_valid_q <= s2_valid_d;
      s2_hdr_q   <= s2_hdr_d;
      s2_more_q  <= s2_more_d;
      s2_last_q  <= s2_last_d;
      s2_ts_q    <= s2_ts_d;
    end
  end

  assign hdr_valid_o = s2_valid_q;
  assign hdr_data_o  = s2_hdr_q[BeatBytes*8-1:0];
  assign hdr_last_o  = s2_last_q;
  assign hdr_keep_o  = !s2_last_q ? 8'hff : (s2_ts_q ? LastKeepTs : LastKeepPlain);

endmodule
