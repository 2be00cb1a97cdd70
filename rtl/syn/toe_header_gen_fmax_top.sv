// toe_header_gen_fmax_top: a place-and-route harness for toe_header_gen, used
// by scripts/rtl_report.sh to measure the Fmax it reaches on an iCE40. The
// generator has ~480 ports, more than any small FPGA has pins, so every
// request field comes from a flop of a scan chain (one input pin) and every
// output is captured into a flop of a second chain (one output pin). All
// added paths are flop-to-flop and short: the longest path stays inside
// toe_header_gen (stage-1 registers -> checksums -> stage-2 register).
// Not part of the NIC; synthesizable, no simulation-only code.
module toe_header_gen_fmax_top (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic scan_en_i,    // shift both chains instead of capturing
  input  logic scan_in_i,
  input  logic hdr_ready_i,
  output logic scan_out_o,
  output logic req_ready_o,
  output logic hdr_valid_o
);

  // Request fields plus req_valid_i, in port order.
  localparam int ReqBits = 1 + 48 + 48 + 32 + 32 + 16 + 8 + 16 + 16 + 32 + 32 + 8 + 16 +
                           16 + 16 + 1 + 32 + 32;
  localparam int OutBits = 64 + 8 + 1;

  logic [ReqBits-1:0] req_q;
  logic [OutBits-1:0] out_q, out_d;
  logic [63:0] hdr_data;
  logic [7:0]  hdr_keep;
  logic        hdr_last;

  always_ff @(posedge clk_i) begin
    if (scan_en_i) begin
      req_q <= {req_q[ReqBits-2:0], scan_in_i};
    end
  end

  toe_header_gen u_dut (
    .clk_i,
    .rst_ni,
    .req_valid_i       (req_q[ReqBits-1]),
    .req_ready_o,
    .req_dst_mac_i     (req_q[ReqBits-2 -: 48]),
    .req_src_mac_i     (req_q[ReqBits-50 -: 48]),
    .req_src_ip_i      (req_q[ReqBits-98 -: 32]),
    .req_dst_ip_i      (req_q[ReqBits-130 -: 32]),
    .req_ip_id_i       (req_q[ReqBits-162 -: 16]),
    .req_ttl_i         (req_q[ReqBits-178 -: 8]),
    .req_src_port_i    (req_q[ReqBits-186 -: 16]),
    .req_dst_port_i    (req_q[ReqBits-202 -: 16]),
    .req_seq_i         (req_q[ReqBits-218 -: 32]),
    .req_ack_i         (req_q[ReqBits-250 -: 32]),
    .req_flags_i       (req_q[ReqBits-282 -: 8]),
    .req_window_i      (req_q[ReqBits-290 -: 16]),
    .req_payload_len_i (req_q[ReqBits-306 -: 16]),
    .req_payload_csum_i(req_q[ReqBits-322 -: 16]),
    .req_ts_en_i       (req_q[ReqBits-338]),
    .req_tsval_i       (req_q[ReqBits-339 -: 32]),
    .req_tsecr_i       (req_q[ReqBits-371 -: 32]),
    .hdr_valid_o,
    .hdr_ready_i,
    .hdr_data_o        (hdr_data),
    .hdr_keep_o        (hdr_keep),
    .hdr_last_o        (hdr_last)
  );

  assign out_d = scan_en_i ? {out_q[OutBits-2:0], 1'b0} : {hdr_data, hdr_keep, hdr_last};

  always_ff @(posedge clk_i) begin
    out_q <= out_d;
  end

  assign scan_out_o = out_q[OutBits-1];

endmodule
