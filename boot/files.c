/* Reads whole files from the volume the loader itself was loaded from. */
#include "loader.h"

EFI_STATUS file_read(EFI_HANDLE image, const CHAR16 *path, UINT64 max,
		     void **data, UINT64 *size)
{
	EFI_LOADED_IMAGE *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_HANDLE root, f;
	EFI_FILE_INFO *fi;
	EFI_STATUS st;
	UINT64 len, done = 0;
	UINT8 *buf;

	*data = 0;
	*size = 0;
	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return st;
	st = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return st;
	st = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(st))
		return st;
	st = root->Open(root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	root->Close(root);
	if (EFI_ERROR(st))
		return st;

	fi = LibFileInfo(f);
	if (!fi) {
		f->Close(f);
		return EFI_DEVICE_ERROR;
	}
	len = fi->FileSize;
	FreePool(fi);
	if (len > max) {
		f->Close(f);
		return EFI_BAD_BUFFER_SIZE;
	}
	/* One spare byte so text files can be NUL-terminated by the caller. */
	st = BS->AllocatePool(EfiLoaderData, len + 1, (void **)&buf);
	if (EFI_ERROR(st)) {
		f->Close(f);
		return st;
	}
	while (done < len) {
		UINTN chunk = len - done;
		st = f->Read(f, &chunk, buf + done);
		if (EFI_ERROR(st) || chunk == 0)
			break;
		done += chunk;
	}
	f->Close(f);
	if (done != len) {
		BS->FreePool(buf);
		return EFI_ERROR(st) ? st : EFI_END_OF_FILE;
	}
	buf[len] = 0;
	*data = buf;
	*size = len;
	return EFI_SUCCESS;
}
